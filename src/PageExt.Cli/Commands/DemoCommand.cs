using System.CommandLine;
using PageExt.Cli.Workloads;
using PageExt.Views;
using PageExt.Workloads;

namespace PageExt.Cli.Commands;

/// <summary>
/// `pageext demo`: boot the default machine (1 GiB, or as --memory says), run the built-in
/// workload, and print what the kernel's files would show, after the boot log lines that matter.
/// </summary>
internal sealed class DemoCommand : ICliCommand
{
    public Command Create(CliContext context)
    {
        var machineOptions = new MachineOptionSet();
        var command = new Command("demo", "Boot a 1 GiB machine, run the built-in workload, print the boot log lines that matter, buddyinfo and pagetypeinfo");
        machineOptions.AddTo(command);
        command.SetAction(parsed => Run(machineOptions.Read(parsed, context), context));
        return command.WithExamples(
            ("pageext demo", "the default 1 GiB machine"),
            ("pageext demo --memory 8G --cmdline \"page_owner=on\"", "a larger machine with page_owner: its boot log shows the early allocated pages"));
    }

    private static int Run(MachineOptions options, CliContext context)
    {
        using var machine = options.Boot(context);
        if (machine is null)
        {
            return ExitCodes.Usage;
        }

        BootLog.WarnUnknownParameters(machine, context);
        var ops = DemoWorkload.Generate(machine.Zones.Sum(z => z.ManagedPages), options.Seed, options.Steps);
        using var progress = Progress.Start(context, "demo", ops.Count);
        var (_, allocated, failed, freed, _) = WorkloadRunner.Run(machine, ops, progress: progress.Report);
        progress.Dispose();
        var output = context.Stdout;
        output.WriteLine($"# pageext demo: {machine.Description.MemoryBytes >> 20} MiB, {machine.Nodes.Count} node(s), workload seed {options.Seed}: {allocated} allocations ({failed} failed once memory was full, as intended), {freed} frees");
        output.WriteLine("# dmesg");
        foreach (var line in BootLog.LinesThatMatter(machine))
        {
            output.WriteLine(line);
        }

        output.WriteLine();
        output.WriteLine("# /proc/buddyinfo");
        var snapshot = ProcFiles.Snapshot(machine);
        BuddyInfo.Write(output, snapshot);
        output.WriteLine();
        output.WriteLine("# /proc/pagetypeinfo");
        PageTypeInfo.Write(output, snapshot);
        return ExitCodes.Success;
    }
}
