using PageExt.Buddy;
using PageExt.PageOwner;
using PageExt.Physical;
using PageExt.Views;
using PageExt.Zones;

namespace PageExt.Tests.PageOwner;

/// <summary>Mixed pageblocks counted on layouts whose answer is known.</summary>
public class MixedBlocksTests
{
    [Fact]
    public void A_block_holding_a_page_of_another_type_counts_once_under_the_block_type()
    {
        using var m = TestMachines.Boot(memoryBytes: 128L << 20, cmdline: "page_owner=on");
        var zone = m.Nodes[0].Zone(ZoneType.Dma32);
        long[] before = MixedBlocks.Count(m.PageOwner, zone);

        // Two unmovable pages land in one block; then the block is retyped Movable, as a fallback
        // that could not claim the block would leave it.
        Assert.True(m.TryAllocPages(GfpFlags.Kernel, 0, out var first));
        Assert.True(m.TryAllocPages(GfpFlags.Kernel, 0, out var second));
        Assert.Equal(first.Value >> Pageblock.Order, second.Value >> Pageblock.Order);
        m.Memory.SetPageblockType(first.Value, MigrateType.Movable);
        long[] after = MixedBlocks.Count(m.PageOwner, zone);
        Assert.Equal(before[(int)MigrateType.Movable] + 1, after[(int)MigrateType.Movable]);
        Assert.Equal(before[(int)MigrateType.Unmovable], after[(int)MigrateType.Unmovable]);

        // Retyped back, the block holds only what it asked for: no longer mixed.
        m.Memory.SetPageblockType(first.Value, MigrateType.Unmovable);
        Assert.Equal(before, MixedBlocks.Count(m.PageOwner, zone));
    }

    [Fact]
    public void A_cma_block_holding_an_unmovable_page_counts_as_movable()
    {
        using var m = TestMachines.Boot(memoryBytes: 128L << 20, cmdline: "page_owner=on");
        var zone = m.Nodes[0].Zone(ZoneType.Dma32);
        long[] before = MixedBlocks.Count(m.PageOwner, zone);
        Assert.True(m.TryAllocPages(GfpFlags.Kernel, 0, out var pfn));
        m.Memory.SetPageblockType(pfn.Value, MigrateType.Cma);
        long[] after = MixedBlocks.Count(m.PageOwner, zone);
        Assert.Equal(before[(int)MigrateType.Movable] + 1, after[(int)MigrateType.Movable]);
        Assert.Equal(0, after[(int)MigrateType.Cma]);
    }

    [Fact]
    public void Freed_pages_do_not_make_a_block_mixed()
    {
        using var m = TestMachines.Boot(memoryBytes: 128L << 20, cmdline: "page_owner=on");
        var zone = m.Nodes[0].Zone(ZoneType.Dma32);
        // A whole pageblock of one allocation, so nothing else shares the block.
        Assert.True(m.TryAllocPages(GfpFlags.Kernel, Pageblock.Order, out var pfn));
        long[] before = MixedBlocks.Count(m.PageOwner, zone);
        m.FreePages(pfn, Pageblock.Order);
        m.Memory.SetPageblockType(pfn.Value, MigrateType.Movable);
        Assert.Equal(before[(int)MigrateType.Movable], MixedBlocks.Count(m.PageOwner, zone)[(int)MigrateType.Movable]);
    }

    [Fact]
    public void Pagetypeinfo_shows_the_mixed_section_only_with_page_owner()
    {
        using var on = TestMachines.Boot(cmdline: "page_owner=on");
        using var off = TestMachines.Boot();
        Assert.Contains("Number of mixed blocks ", PageTypeInfo.Render(ProcFiles.Snapshot(on)), StringComparison.Ordinal);
        Assert.DoesNotContain("Number of mixed blocks", PageTypeInfo.Render(ProcFiles.Snapshot(off)), StringComparison.Ordinal);
    }
}

/// <summary>The kernel's skipping walk agrees with a page-by-page scan after the built-in workload.</summary>
public class MixedBlocksAgreementTests
{
    [Fact]
    public void The_walk_matches_a_brute_force_scan_under_memory_pressure()
    {
        using var m = TestMachines.Boot(memoryBytes: 128L << 20, cmdline: "page_owner=on");
        var ops = PageExt.Workloads.DemoWorkload.Generate(m.Zones.Sum(z => z.ManagedPages), seed: 5, steps: 60000);
        var live = new Dictionary<string, (Pfn, int)>();
        foreach (var op in ops)
        {
            if (op.Kind == PageExt.Workloads.WorkloadOpKind.Alloc)
            {
                if (m.TryAllocPages(op.Gfp, op.Order, out var p))
                {
                    live[op.Id] = (p, op.Order);
                }
            }
            else if (live.Remove(op.Id, out var block))
            {
                m.FreePages(block.Item1, block.Item2);
            }
        }

        foreach (var zone in m.PopulatedZones)
        {
            var expected = new long[MigrateTypes.Count];
            for (ulong block = zone.StartPfn.Value; block < zone.EndPfn.Value; block += Pageblock.Pages)
            {
                var type = m.Allocator.PageblockMigrateType(new Pfn(block));
                bool mixed = Enumerable.Range(0, Pageblock.Pages)
                    .Select(i => m.PageOwner.GetOwner(new Pfn(block + (ulong)i)))
                    .Any(o => o is { Allocated: true } && o.Gfp.MigrateType() != type);
                if (mixed)
                {
                    expected[(int)(type == MigrateType.Cma ? MigrateType.Movable : type)]++;
                }
            }

            Assert.Equal(expected, MixedBlocks.Count(m.PageOwner, zone));
        }

        Assert.True(m.Zones.Sum(z => z.PopulatedZonesMixed(m)) > 0, "the workload should leave at least one mixed block");
        m.AssertConsistent();
    }
}

internal static class MixedTestExtensions
{
    public static long PopulatedZonesMixed(this Zone zone, Machine m) =>
        zone.IsPopulated ? MixedBlocks.Count(m.PageOwner, zone).Sum() : 0;
}
