using PageExt.Buddy;

namespace PageExt.Tests;

/// <summary>Small machines for tests, and the invariant assertion every test runs after it acts.</summary>
internal static class TestMachines
{
    public static Machine Boot(long memoryBytes = 256L << 20, int nodes = 1, int cpus = 2, long hotplugBytes = 0, string cmdline = "") =>
        Machine.Boot(new MachineDescription
        {
            MemoryBytes = memoryBytes,
            Nodes = nodes,
            Cpus = cpus,
            HotplugBytes = hotplugBytes,
            CommandLine = cmdline,
        });

    public static void AssertConsistent(this Machine machine)
    {
        var problems = machine.Allocator.CheckInvariants();
        Assert.True(problems.Count == 0, "allocator invariants broken:\n" + string.Join("\n", problems));
    }

    public static List<BadPageReport> CaptureBadPages(this Machine machine)
    {
        var reports = new List<BadPageReport>();
        machine.Allocator.BadPage += r =>
        {
            lock (reports)
            {
                reports.Add(r);
            }
        };
        return reports;
    }
}
