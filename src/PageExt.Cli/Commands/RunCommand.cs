using System.CommandLine;
using PageExt.Cli.Files;
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
    public Command Create(CliContext context)
    {
        var machineOptions = new MachineOptionSet();
        var runOptions = new RunOptions.Set();
        var command = new Command("run", "Boot with a command line, replay a workload, write page_owner, page_owner_stacks, pagetypeinfo, buddyinfo, zoneinfo, dmesg. "
            + "PATH may be `-` for standard output; without any output option, buddyinfo and pagetypeinfo go to standard output.");
        machineOptions.AddTo(command);
        runOptions.AddTo(command);
        command.SetAction(parsed => Run(machineOptions.Read(parsed, context), runOptions.Read(parsed), context));
        return command.WithExamples(
            ("pageext run --cmdline \"page_owner=on\" --page-owner dump.txt", "the built-in workload's page_owner dump"),
            ("pageext run --cmdline \"page_owner=on\" --workload my.workload --page-owner-stacks -", "replay a workload file, print page_owner_stacks"),
            ("pageext run --steps 20000 --record demo.workload", "record the built-in workload to edit and replay it"),
            ("pageext run --cmdline \"trace_event=kmem trace_options=stacktrace\" --trace trace.txt", "the kmem page events of the built-in workload, with stacks"));
    }

    private static int Run(MachineOptions machineOptions, RunOptions options, CliContext context)
    {
        // Every input and output is checked, and every output opened, before the machine boots.
        if (options.Workload is not null)
        {
            InputFile.Check("workload", options.Workload);
        }

        var outputs = OutputFile.OpenAll(
            [
                ("--record", options.Record),
                ("--page-owner", options.PageOwner),
                ("--page-owner-stacks", options.PageOwnerStacks),
                ("--pagetypeinfo", options.PageTypeInfo),
                ("--buddyinfo", options.BuddyInfo),
                ("--zoneinfo", options.ZoneInfo),
                ("--vmstat", options.VmStat),
                ("--log", options.Log),
                ("--trace", options.Trace),
                ("--report", options.Report),
            ],
            [options.Workload],
            context);
        try
        {
            return Run(machineOptions, options, outputs, context);
        }
        finally
        {
            foreach (var output in outputs)
            {
                output.Dispose();
            }
        }
    }

    private static int Run(MachineOptions machineOptions, RunOptions options, OutputFile[] outputs, CliContext context)
    {
        OutputFile? Output(string option) => outputs.FirstOrDefault(o => o.Option == option);
        using var workload = options.Workload is null ? null : OpenWorkload(options.Workload, context);
        using var machine = machineOptions.Boot(context);
        if (machine is null)
        {
            return ExitCodes.Usage;
        }

        BootLog.WarnUnknownParameters(machine, context);

        if ((options.PageOwner is not null || options.PageOwnerStacks is not null) && !machine.PageOwner.IsEnabled)
        {
            throw new CliException("--page-owner and --page-owner-stacks need page_owner=on on the command line (--cmdline \"page_owner=on\")");
        }

        if (options.Trace is not null && !machine.Trace.IsEnabled)
        {
            throw new CliException("--trace needs a kmem page event on the command line (--cmdline \"trace_event=kmem:mm_page_alloc,kmem:mm_page_free\")");
        }

        var record = Output("--record");
        if (record is not null)
        {
            WorkloadFile.WriteHeader(record.Writer);
        }

        WorkloadRunner.Counts counts;
        if (workload is null)
        {
            var ops = DemoWorkload.Generate(machine.Zones.Sum(z => z.ManagedPages), machineOptions.Seed, machineOptions.Steps);
            using var progress = Progress.Start(context, "run", ops.Count);
            counts = WorkloadRunner.Run(machine, ops, replayed: record is null ? null : op => WorkloadFile.WriteOp(record.Writer, op), progress: progress.Report);
            progress.Dispose();
            context.Stderr.WriteLine($"pageext run: built-in workload, {counts.Operations} operations: {counts.Allocated} allocations, "
                + $"{counts.Failed} failed once memory was full (as intended; their frees skipped), {counts.Freed} frees");
        }
        else
        {
            string where = options.Workload == "-" ? "<stdin>" : options.Workload!;
            var log = new CappedLog(context.Stderr, $"pageext run: {where}");
            var ops = WorkloadFile.Read(workload, (line, message) => log.Add("bad line", $"line {line}: {message}; skipped"));
            using var progress = Progress.Start(context, "run", 0);
            counts = WorkloadRunner.Run(
                machine,
                ops,
                failedAllocation: op => log.Add("failed allocation", $"line {op.Line}: allocation of '{op.Id}' (order {op.Order}) failed; its free will be skipped"),
                replayed: record is null ? null : op => WorkloadFile.WriteOp(record.Writer, op),
                progress: progress.Report);
            progress.Dispose();
            log.WriteSummary();
            if (counts.Operations == 0)
            {
                throw new CliException($"{where}: no usable operation in the workload", ExitCodes.BadInput);
            }

            context.Stderr.WriteLine($"pageext run: {counts.Operations} operations: {counts.Allocated} allocations, {counts.Failed} failed, {counts.Freed} frees, {counts.Skipped} frees skipped");
        }

        machine.PageOwner.CountThreshold = options.StacksThreshold;
        if (Output("--page-owner") is { } pageOwner)
        {
            PageOwnerDump.Write(pageOwner.Writer, machine.PageOwner, options.DumpFormat);
        }

        if (Output("--page-owner-stacks") is { } stacks)
        {
            PageOwnerStacks.WriteStacks(stacks.Writer, machine.PageOwner);
        }

        var snapshot = ProcFiles.Snapshot(machine);
        if (Output("--pagetypeinfo") is { } pageTypeInfo)
        {
            PageTypeInfo.Write(pageTypeInfo.Writer, snapshot);
        }

        if (Output("--buddyinfo") is { } buddyInfo)
        {
            BuddyInfo.Write(buddyInfo.Writer, snapshot);
        }

        if (Output("--zoneinfo") is { } zoneInfo)
        {
            ZoneInfo.Write(zoneInfo.Writer, machine);
        }

        if (Output("--vmstat") is { } vmStat)
        {
            ProcVmStat.Write(vmStat.Writer, machine);
        }

        if (Output("--log") is { } log2)
        {
            log2.Writer.Write(string.Join('\n', machine.Log.Lines) + "\n");
        }

        if (Output("--trace") is { } trace)
        {
            machine.Trace.Write(trace.Writer);
        }

        if (Output("--report") is { } report)
        {
            LiveReport.Write(machine, snapshot, report, context);
        }

        if (outputs.Length == 0)
        {
            BuddyInfo.Write(context.Stdout, snapshot);
            context.Stdout.Write('\n');
            PageTypeInfo.Write(context.Stdout, snapshot);
        }

        // Only now, with every report written, do the files replace what was there.
        foreach (var output in outputs)
        {
            output.Commit();
        }

        return ExitCodes.Success;
    }

    private static StreamReader OpenWorkload(string path, CliContext context)
    {
        try
        {
            return path == "-" ? new StreamReader(context.OpenStdin()) : new StreamReader(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw InputFile.CannotOpen("workload", path, e);
        }
    }
}
