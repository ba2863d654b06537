using PageExt.Buddy;
using PageExt.DebugPageAlloc;
using PageExt.Physical;
using PageExt.Zones;
using Xunit.Abstractions;

namespace PageExt.Tests.DebugPageAlloc;

public sealed class ModesTests(ITestOutputHelper output)
{
    public static TheoryData<string> Modes => [.. s_modes.Keys];

    private static readonly Dictionary<string, DebugPageAllocSettings> s_modes = new()
    {
        ["off"] = DebugPageAllocSettings.Off,
        ["page_poison=1"] = new() { PagePoison = true },
        ["debug_pagealloc=on"] = new() { DebugPagealloc = true },
        ["debug_pagealloc=on debug_guardpage_minorder=1"] = new() { DebugPagealloc = true, GuardPageMinOrder = 1 },
        ["debug_pagealloc=on debug_guardpage_minorder=5 page_poison=1 max_ranges=16"] = new() { DebugPagealloc = true, GuardPageMinOrder = 5, PagePoison = true, MaxProtectedRanges = 16 },
        ["debug_pagealloc=on debug_pagealloc_max_ranges=0"] = new() { DebugPagealloc = true, MaxProtectedRanges = 0 },
    };

    [Theory]
    [MemberData(nameof(Modes))]
    public void InvariantsHoldAfterEveryOperationInEveryMode(string mode)
    {
        int seed = Environment.TickCount;
        output.WriteLine($"mode {mode}, seed {seed}");
        using var machine = DebugPageAllocMachines.Boot(s_modes[mode], out var feature, memoryBytes: 64L << 20);
        var random = new Random(seed);
        var live = new List<(Pfn Pfn, int Order)>();
        for (int step = 0; step < 400; step++)
        {
            if (live.Count > 0 && random.Next(3) == 0)
            {
                int index = random.Next(live.Count);
                var (pfn, order) = live[index];
                live.RemoveAt(index);
                machine.FreePages(pfn, order);
            }
            else
            {
                int order = random.Next(6);
                if (machine.TryAllocPages(GfpFlags.Kernel | GfpFlags.NoWarn, order, out var pfn))
                {
                    live.Add((pfn, order));
                    machine.PageSpan(pfn, order).Fill(0x33);
                }
            }

            machine.AssertAllConsistent(feature);
        }

        foreach (var (pfn, order) in live)
        {
            machine.FreePages(pfn, order);
        }

        machine.Allocator.DrainAllPages();
        machine.AssertAllConsistent(feature);
        Assert.Equal(0, feature.CorruptionCount);
        Assert.Equal(0, machine.Allocator.BadPageCount);
        Assert.Equal(0, machine.Zones.Sum(z => z.GuardPages));
    }

    [Fact]
    public void FreedProtectedMemorySurvivesOfflineRemoveAndReAdd()
    {
        using var machine = DebugPageAllocMachines.Boot(
            new DebugPageAllocSettings { DebugPagealloc = true, PagePoison = true, GuardPageMinOrder = 2 }, out var feature, memoryBytes: 256L << 20, hotplugBytes: 128L << 20);
        machine.Hotplug.AddMemory(2, 1);
        Assert.True(machine.Hotplug.TryOnline(2, 1, out var error, ZoneType.Movable), error);
        var blocks = AllocateSection(machine, 2);
        int firstCount = blocks.Count;
        foreach (var pfn in blocks)
        {
            machine.FreePages(pfn, 3);
        }

        Assert.True(feature.Quarantine.ProtectedRanges > 0);
        Assert.True(machine.Hotplug.TryOffline(2, 1, out error), error);
        machine.Hotplug.RemoveMemory(2, 1);
        machine.AssertAllConsistent(feature);
        machine.Hotplug.AddMemory(2, 1);
        Assert.True(machine.Hotplug.TryOnline(2, 1, out error, ZoneType.Movable), error);

        // Every page of the section the watermarks let out is handed out again and written: none
        // may still be protected.
        blocks = AllocateSection(machine, 2);
        Assert.Equal(firstCount, blocks.Count);
        Assert.True(firstCount > (MemorySection.Pages / 8) - 64, $"only {firstCount} blocks came from the section");
        machine.AssertAllConsistent(feature);
        Assert.Equal(0, feature.CorruptionCount);
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void AllocFreePairsAllocateNoManagedMemory(string mode)
    {
        using var machine = DebugPageAllocMachines.Boot(s_modes[mode], out _, memoryBytes: 64L << 20);
        RunPairs(machine, 2_000);
        long before = GC.GetAllocatedBytesForCurrentThread();
        RunPairs(machine, 2_000);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private static void RunPairs(Machine machine, int count)
    {
        for (int i = 0; i < count; i++)
        {
            int order = (i & 1) * 3;
            Assert.True(machine.TryAllocPages(GfpFlags.Kernel, order, out var pfn));
            machine.FreePages(pfn, order);
        }
    }

    private static List<Pfn> AllocateSection(Machine machine, int section)
    {
        var mine = new List<Pfn>();
        var others = new List<Pfn>();
        while (machine.TryAllocPages(GfpFlags.HighUserMovable | GfpFlags.NoWarn, 3, out var pfn))
        {
            machine.PageSpan(pfn, 3).Fill(0x77);
            ((int)(pfn.Value >> MemorySection.PagesShift) == section ? mine : others).Add(pfn);
            if (mine.Count == MemorySection.Pages / 8)
            {
                break;
            }
        }

        foreach (var pfn in others)
        {
            machine.FreePages(pfn, 3);
        }

        return mine;
    }
}
