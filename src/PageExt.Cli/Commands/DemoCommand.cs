using PageExt.Cli.Workloads;
using PageExt.Views;
using PageExt.Workloads;

namespace PageExt.Cli.Commands;

/// <summary>
/// `pageext demo`: boot the default machine (1 GiB, or as --memory says), run the built-in
/// workload, and print what the kernel's files would show.
/// </summary>
internal sealed class DemoCommand : ICliCommand
{
    public string Name => "demo";

    public string Summary => "boot a 1 GiB machine, run the built-in workload, print buddyinfo and pagetypeinfo";

    public int Run(IReadOnlyList<string> args, CliContext context)
    {
        if (!MachineOptions.TryParse(args, context, out var options, out var rest))
        {
            return 2;
        }

        if (rest.Count > 0)
        {
            context.Stderr.WriteLine($"pageext demo: unexpected argument '{rest[0]}'");
            return 2;
        }

        using var machine = options.Boot(context);
        if (machine is null)
        {
            return 2;
        }

        var ops = DemoWorkload.Generate(machine.Zones.Sum(z => z.ManagedPages), options.Seed, options.Steps);
        var (_, allocated, failed, freed, _) = WorkloadRunner.Run(machine, ops);
        var output = context.Stdout;
        output.WriteLine($"# pageext demo: {machine.Description.MemoryBytes >> 20} MiB, {machine.Nodes.Count} node(s), workload seed {options.Seed}: {allocated} allocations ({failed} failed), {freed} frees");
        output.WriteLine("# /proc/buddyinfo");
        var snapshot = ProcFiles.Snapshot(machine);
        BuddyInfo.Write(output, snapshot);
        output.WriteLine();
        output.WriteLine("# /proc/pagetypeinfo");
        PageTypeInfo.Write(output, snapshot);
        return 0;
    }
}
