using PageExt.Cli.Workloads;
using PageExt.PageOwner;
using PageExt.Views;
using PageExt.Workloads;

namespace PageExt.Cli.Commands;

/// <summary>
/// `pageext run`: boot a machine with a command line, replay a workload (the built-in one or a
/// file), and write any of the kernel's files: the page_owner dump, page_owner_stacks,
/// pagetypeinfo, buddyinfo, and the kernel log. PATH may be `-` for standard output.
/// </summary>
internal sealed class RunCommand : ICliCommand
{
    private const string Usage = """
        Usage: pageext run [--memory SIZE] [--nodes N] [--cmdline "..."] [--seed N] [--steps N]
                           [--workload FILE|-] [--record FILE]
                           [--page-owner PATH] [--page-owner-format modern|2014]
                           [--page-owner-stacks PATH] [--stacks-threshold N]
                           [--pagetypeinfo PATH] [--buddyinfo PATH] [--log PATH] [--report PATH]
        Without any output option, buddyinfo and pagetypeinfo go to standard output.
        """;

    public string Name => "run";

    public string Summary => "boot with a command line, replay a workload, write page_owner, page_owner_stacks, pagetypeinfo, buddyinfo";

    public int Run(IReadOnlyList<string> args, CliContext context)
    {
        if (!MachineOptions.TryParse(args, context, out var machineOptions, out var rest) || !RunOptions.TryParse(rest, context, out var options))
        {
            context.Stderr.WriteLine(Usage);
            return 2;
        }

        IReadOnlyList<WorkloadOp> ops;
        if (options.Workload is not null)
        {
            if (!TryReadWorkload(options.Workload, context, out ops))
            {
                return 2;
            }
        }
        else
        {
            ops = [];
        }

        using var machine = machineOptions.Boot(context);
        if (machine is null)
        {
            return 2;
        }

        if (options.Workload is null)
        {
            ops = DemoWorkload.Generate(machine.Zones.Sum(z => z.ManagedPages), machineOptions.Seed, machineOptions.Steps);
        }

        if ((options.PageOwner is not null || options.PageOwnerStacks is not null) && !machine.PageOwner.IsEnabled)
        {
            context.Stderr.WriteLine("pageext run: --page-owner and --page-owner-stacks need page_owner=on on the command line (--cmdline \"page_owner=on\")");
            return 2;
        }

        var (allocated, failed, freed, skipped) = WorkloadRunner.Run(machine, ops, context.Stderr);
        context.Stderr.WriteLine($"pageext run: {ops.Count} operations: {allocated} allocations, {failed} failed, {freed} frees, {skipped} frees skipped");
        if (options.Record is not null)
        {
            Output.Write(options.Record, context, w => WorkloadFile.Write(w, ops));
        }

        machine.PageOwner.CountThreshold = options.StacksThreshold;
        bool any = false;
        if (options.PageOwner is not null)
        {
            any = true;
            Output.Write(options.PageOwner, context, w => PageOwnerDump.Write(w, machine.PageOwner, options.DumpFormat));
        }

        if (options.PageOwnerStacks is not null)
        {
            any = true;
            Output.Write(options.PageOwnerStacks, context, w => PageOwnerStacks.WriteStacks(w, machine.PageOwner));
        }

        var snapshot = ProcFiles.Snapshot(machine);
        if (options.PageTypeInfo is not null)
        {
            any = true;
            Output.Write(options.PageTypeInfo, context, w => PageTypeInfo.Write(w, snapshot));
        }

        if (options.BuddyInfo is not null)
        {
            any = true;
            Output.Write(options.BuddyInfo, context, w => BuddyInfo.Write(w, snapshot));
        }

        if (options.Log is not null)
        {
            any = true;
            Output.Write(options.Log, context, w => w.Write(string.Join('\n', machine.Log.Lines) + "\n"));
        }

        if (options.Report is not null)
        {
            any = true;
            int exit = LiveReport.Write(machine, snapshot, options.Report, options.Workload, context);
            if (exit != 0)
            {
                return exit;
            }
        }

        if (!any)
        {
            BuddyInfo.Write(context.Stdout, snapshot);
            context.Stdout.Write('\n');
            PageTypeInfo.Write(context.Stdout, snapshot);
        }

        return 0;
    }

    private static bool TryReadWorkload(string path, CliContext context, out IReadOnlyList<WorkloadOp> ops)
    {
        ops = [];
        try
        {
            using var reader = path == "-" ? new StreamReader(context.OpenStdin()) : new StreamReader(path);
            var (parsed, errors) = WorkloadFile.Parse(reader);
            foreach (var error in errors)
            {
                context.Stderr.WriteLine($"{path}: {error}");
            }

            if (parsed.Count == 0)
            {
                context.Stderr.WriteLine($"pageext run: {path}: no usable operation in the workload");
                return false;
            }

            ops = parsed;
            return true;
        }
        catch (IOException ex)
        {
            context.Stderr.WriteLine($"pageext run: cannot read workload {path}: {ex.Message}");
            return false;
        }
        catch (UnauthorizedAccessException ex)
        {
            context.Stderr.WriteLine($"pageext run: cannot read workload {path}: {ex.Message}");
            return false;
        }
    }
}
