using PageExt.Buddy;
using PageExt.DebugPageAlloc;
using PageExt.Physical;
using Xunit.Abstractions;

namespace PageExt.Tests.DebugPageAlloc;

public sealed unsafe class UnmapQuarantineTests(ITestOutputHelper output)
{
    [Fact]
    public void FreedPageIsInaccessibleUntilItIsAllocatedAgain()
    {
        using var machine = DebugPageAllocMachines.Boot(new DebugPageAllocSettings { DebugPagealloc = true }, out var feature);
        Assert.True(feature.DebugPageallocEnabled);
        Assert.True(machine.TryAllocPages(GfpFlags.Kernel, 0, out var pfn));
        nint address = machine.PageAddress(pfn);
        Assert.Equal("rw-p", DebugPageAllocMachines.ProtectionOf(address));

        machine.FreePages(pfn, 0);
        Assert.Equal("---p", DebugPageAllocMachines.ProtectionOf(address));
        Assert.Equal(new QuarantineStatistics(1, 1, 1, 0, 0, DebugPageAllocSettings.DefaultMaxProtectedRanges), feature.Quarantine);
        machine.AssertAllConsistent(feature);

        Assert.True(machine.TryAllocPages(GfpFlags.Kernel | GfpFlags.Zero, 0, out var again));
        Assert.Equal(pfn, again);
        Assert.Equal("rw-p", DebugPageAllocMachines.ProtectionOf(address));
        machine.PageSpan(again).Fill(0x5a);
        Assert.Equal(0, feature.Quarantine.ProtectedRanges);
        machine.AssertAllConsistent(feature);
    }

    [Fact]
    public void AWholeBlockIsOneRange()
    {
        using var machine = DebugPageAllocMachines.Boot(new DebugPageAllocSettings { DebugPagealloc = true }, out var feature);
        Assert.True(machine.TryAllocPages(GfpFlags.Kernel, 5, out var pfn));
        machine.FreePages(pfn, 5);
        Assert.Equal((1, 32L), (feature.Quarantine.ProtectedRanges, feature.Quarantine.ProtectedPages));
        for (ulong i = 0; i < 32; i++)
        {
            Assert.Equal("---p", DebugPageAllocMachines.ProtectionOf(machine.PageAddress(pfn + i)));
        }

        machine.AssertAllConsistent(feature);
    }

    [Fact]
    public void AllocatingInsideARangeKeepsTheRestProtectedAtTheSameAge()
    {
        // The quarantine alone, over pages this test owns (allocated from a machine without
        // debugging, so no hook runs behind the test's back).
        using var machine = TestMachines.Boot(memoryBytes: 64L << 20);
        Assert.True(machine.TryAllocPages(GfpFlags.Kernel, 3, out var block));
        Assert.True(machine.TryAllocPages(GfpFlags.Kernel, 0, out var single));
        uint b = (uint)block.Value;
        var fellBack = new List<(uint, int)>();
        var quarantine = new ProtectedRangeQuarantine(machine.Memory, machine.Log, max: 4, (p, o) => fellBack.Add((p, o)));

        Assert.True(quarantine.TryProtectFreed(b, 3));
        Assert.True(quarantine.TryProtectFreed((uint)single.Value, 0));
        Assert.True(quarantine.Unprotect(b + 2, 0));

        // Oldest first: the order-3 range became its three remaining buddies, largest first, all
        // still older than the single page.
        Assert.Equal([(b + 4, 2), (b, 1), (b + 3, 0), ((uint)single.Value, 0)], quarantine.Snapshot());
        Assert.Equal("rw-p", DebugPageAllocMachines.ProtectionOf(machine.PageAddress(block + 2)));
        foreach (ulong i in new ulong[] { 0, 1, 3, 4, 5, 6, 7 })
        {
            Assert.Equal("---p", DebugPageAllocMachines.ProtectionOf(machine.PageAddress(block + i)));
        }

        // One more range overflows the bound of 4: the oldest piece is given back and falls back.
        Assert.True(machine.TryAllocPages(GfpFlags.Kernel, 0, out var third));
        Assert.True(quarantine.TryProtectFreed((uint)third.Value, 0));
        Assert.Equal([(b + 4, 2)], fellBack);
        for (ulong i = 4; i < 8; i++)
        {
            Assert.Equal("rw-p", DebugPageAllocMachines.ProtectionOf(machine.PageAddress(block + i)));
        }

        Assert.Equal(4, quarantine.Statistics.ProtectedRanges);
        Assert.Equal(1, quarantine.Statistics.FellBack);

        // Allocating a block that holds ranges drops all of them with one call.
        Assert.True(quarantine.Unprotect(b, 3));
        Assert.Equal([((uint)single.Value, 0), ((uint)third.Value, 0)], quarantine.Snapshot());
        Assert.False(quarantine.Unprotect(b, 3));
        Assert.True(quarantine.Unprotect((uint)single.Value, 0));
        Assert.True(quarantine.Unprotect((uint)third.Value, 0));
        Assert.Empty(quarantine.Snapshot());
        for (ulong i = 0; i < 8; i++)
        {
            Assert.Equal("rw-p", DebugPageAllocMachines.ProtectionOf(machine.PageAddress(block + i)));
        }
    }

    [Fact]
    public void BeyondTheQuarantineFreedPagesArePoisonedAndWritesAreCaught()
    {
        using var machine = DebugPageAllocMachines.Boot(new DebugPageAllocSettings { DebugPagealloc = true, MaxProtectedRanges = 1 }, out var feature);
        var reports = new List<PageCorruptionReport>();
        feature.Corruption += reports.Add;
        Assert.True(machine.TryAllocPages(GfpFlags.Kernel, 0, out var first));
        Assert.True(machine.TryAllocPages(GfpFlags.Kernel, 0, out var second));
        byte* stale = (byte*)machine.PageAddress(first);
        machine.FreePages(first, 0);
        machine.FreePages(second, 0);

        // The first page left the quarantine: accessible again, poisoned instead.
        Assert.Equal("rw-p", DebugPageAllocMachines.ProtectionOf((nint)stale));
        Assert.Equal("---p", DebugPageAllocMachines.ProtectionOf(machine.PageAddress(second)));
        Assert.Equal(0xaa, stale[0]);
        Assert.Equal(1, feature.Quarantine.FellBack);
        Assert.True(machine.Log.Contains("debug_pagealloc: 1 ranges protected, the most allowed"));
        stale[0x20] = 0;
        machine.AssertAllConsistent(feature);

        Assert.True(machine.TryAllocPages(GfpFlags.Kernel, 0, out var a));
        Assert.True(machine.TryAllocPages(GfpFlags.Kernel, 0, out var b));
        Assert.Equal([second, first], new[] { a, b });
        var report = Assert.Single(reports);
        Assert.Equal((first, 0x20, 0x20), (report.Pfn, report.FirstOffset, report.LastOffset));
        machine.AssertAllConsistent(feature);
    }

    [Fact]
    public void ZeroRangesPoisonsEveryFreedBlock()
    {
        using var machine = DebugPageAllocMachines.Boot(new DebugPageAllocSettings { DebugPagealloc = true, MaxProtectedRanges = 0 }, out var feature);
        Assert.True(machine.TryAllocPages(GfpFlags.Kernel, 1, out var pfn));
        machine.FreePages(pfn, 1);
        Assert.Equal("rw-p", DebugPageAllocMachines.ProtectionOf(machine.PageAddress(pfn)));
        Assert.Equal(-1, machine.PageSpan(pfn, 1).IndexOfAnyExcept((byte)0xaa));
        Assert.Equal(0, feature.Quarantine.TotalProtected);
        machine.AssertAllConsistent(feature);
    }

    [Fact]
    public void PoisonRunsBeforeUnmapOnFreeAndCheckAfterMapOnAllocation()
    {
        // Both modes: the fill must land before the block is protected (otherwise it would fault),
        // and the check must read it after it is accessible again.
        using var machine = DebugPageAllocMachines.Boot(new DebugPageAllocSettings { DebugPagealloc = true, PagePoison = true, MaxProtectedRanges = 1 }, out var feature);
        Assert.Equal(["debug_guardpage", "page_poisoning"], feature.Clients.Select(c => c.Name));
        Assert.True(machine.TryAllocPages(GfpFlags.Kernel, 0, out var first));
        Assert.True(machine.TryAllocPages(GfpFlags.Kernel, 0, out var second));
        machine.PageSpan(first).Fill(0x11);
        machine.FreePages(first, 0);
        Assert.Equal("---p", DebugPageAllocMachines.ProtectionOf(machine.PageAddress(first)));
        machine.FreePages(second, 0);

        // Evicted from the quarantine: readable now, and it was poisoned while still accessible.
        Assert.Equal(-1, machine.PageSpan(first).IndexOfAnyExcept((byte)0xaa));
        Assert.True(feature.Poison.IsPoisoned((uint)first.Value));
        Assert.True(machine.TryAllocPages(GfpFlags.Kernel, 0, out var a));
        Assert.Equal(second, a);
        Assert.False(feature.Poison.IsPoisoned((uint)second.Value));
        Assert.Equal(0, feature.CorruptionCount);
        machine.AssertAllConsistent(feature);
    }

    [Fact]
    public void QuarantineBoundHoldsUnderALongRandomWorkload()
    {
        int seed = Environment.TickCount;
        output.WriteLine($"seed {seed}");
        const int Max = 64;
        using var machine = DebugPageAllocMachines.Boot(
            new DebugPageAllocSettings { DebugPagealloc = true, PagePoison = true, GuardPageMinOrder = 1, MaxProtectedRanges = Max }, out var feature);
        var random = new Random(seed);
        var live = new List<(Pfn Pfn, int Order)>();
        for (int step = 0; step < 20_000; step++)
        {
            if (live.Count > 0 && (random.Next(2) == 0 || live.Count > 400))
            {
                int index = random.Next(live.Count);
                var (pfn, order) = live[index];
                live[index] = live[^1];
                live.RemoveAt(live.Count - 1);
                machine.FreePages(pfn, order);
            }
            else
            {
                int order = random.Next(10) switch { < 6 => 0, < 8 => 1, 8 => 3, _ => random.Next(4, 9) };
                if (machine.TryAllocPages(GfpFlags.Kernel | GfpFlags.NoWarn, order, out var pfn))
                {
                    // Every byte the owner may touch must be accessible: a protected page here kills the test run.
                    machine.PageSpan(pfn, order).Fill((byte)step);
                    live.Add((pfn, order));
                }
            }

            Assert.True(feature.Quarantine.ProtectedRanges <= Max, $"seed {seed} step {step}: {feature.Quarantine.ProtectedRanges} ranges protected");
            if (step % 2_000 == 0)
            {
                machine.AssertAllConsistent(feature);
            }
        }

        var stats = feature.Quarantine;
        output.WriteLine(stats.ToString());
        Assert.True(stats.FellBack > 0, $"seed {seed}: the workload never filled the quarantine");
        Assert.Equal(0, stats.ProtectFailures);
        Assert.True(CountProtectedMappings(machine) <= Max, $"seed {seed}: more PROT_NONE mappings in the arena than ranges");
        Assert.Equal(0, feature.CorruptionCount);
        machine.AssertAllConsistent(feature);

        foreach (var (pfn, order) in live)
        {
            machine.FreePages(pfn, order);
        }

        machine.Allocator.DrainAllPages();
        machine.AssertAllConsistent(feature);
    }

    [Fact]
    public void TwoThreadsKeepTheQuarantineConsistent()
    {
        int seed = Environment.TickCount;
        output.WriteLine($"seed {seed}");
        using var machine = DebugPageAllocMachines.Boot(
            new DebugPageAllocSettings { DebugPagealloc = true, GuardPageMinOrder = 2, MaxProtectedRanges = 32 }, out var feature, cpus: 2);
        TestThreads.RunAndAssert(2, t =>
        {
            var random = new Random(seed + t);
            var live = new List<(Pfn, int)>();
            for (int i = 0; i < 4_000; i++)
            {
                if (live.Count > 0 && random.Next(2) == 0)
                {
                    var (pfn, order) = live[^1];
                    live.RemoveAt(live.Count - 1);
                    machine.FreePages(pfn, order);
                }
                else
                {
                    int order = random.Next(4);
                    if (machine.TryAllocPages(GfpFlags.Kernel | GfpFlags.NoWarn, order, out var pfn))
                    {
                        machine.PageSpan(pfn, order).Fill(1);
                        live.Add((pfn, order));
                    }
                }
            }

            foreach (var (pfn, order) in live)
            {
                machine.FreePages(pfn, order);
            }
        });
        machine.Allocator.DrainAllPages();
        Assert.Equal(0, machine.Allocator.BadPageCount);
        machine.AssertAllConsistent(feature);
    }

    /// <summary>PROT_NONE mappings that lie inside the machine's arena.</summary>
    private static int CountProtectedMappings(Machine machine)
    {
        nint first = machine.PageAddress(new Pfn(1));
        ulong lo = (ulong)first, hi = lo + (machine.Memory.MaxPfn << PageSize.Shift);
        int count = 0;
        foreach (var line in File.ReadLines("/proc/self/maps"))
        {
            var parts = line.Split(' ', 3);
            var range = parts[0].Split('-');
            ulong start = Convert.ToUInt64(range[0], 16);
            if (start >= lo - PageSize.Bytes && start < hi && parts[1].StartsWith("---", StringComparison.Ordinal))
            {
                count++;
            }
        }

        return count;
    }
}
