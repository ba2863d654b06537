using PageExt.Buddy;
using PageExt.Physical;

namespace PageExt.Tests;

/// <summary>Small machines for tests, a random workload for them, and the invariant assertion every test runs after it acts.</summary>
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

    /// <summary>
    /// Random allocations and frees: at each step, while blocks are held, one in three frees a held
    /// block at random; otherwise a block of <paramref name="nextOrder"/> is allocated with one of
    /// <paramref name="masks"/>. Returns the blocks still held.
    /// </summary>
    public static List<(Pfn Pfn, int Order)> RunMixedWorkload(this Machine machine, Random rng, int steps, GfpFlags[] masks,
        Func<Random, int> nextOrder, Action<int>? afterStep = null)
    {
        var live = new List<(Pfn Pfn, int Order)>();
        for (int step = 0; step < steps; step++)
        {
            if (live.Count > 0 && rng.Next(3) == 0)
            {
                int i = rng.Next(live.Count);
                machine.FreePages(live[i].Pfn, live[i].Order);
                live[i] = live[^1];
                live.RemoveAt(live.Count - 1);
            }
            else
            {
                int order = nextOrder(rng);
                if (machine.TryAllocPages(masks[rng.Next(masks.Length)] | GfpFlags.NoWarn, order, out var pfn))
                {
                    live.Add((pfn, order));
                }
            }

            afterStep?.Invoke(step);
        }

        return live;
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
