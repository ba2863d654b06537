using PageExt.Buddy;
using PageExt.Physical;
using PageExt.Views;
using PageExt.Zones;

namespace PageExt.Tests.Buddy;

public class FallbackTests
{
    [Fact]
    public void Unmovable_allocations_steal_whole_pageblocks_from_movable()
    {
        using var m = TestMachines.Boot();
        Assert.True(m.TryAllocPages(GfpFlags.Kernel, 0, out var pfn));
        // Boot makes every pageblock Movable; the first unmovable request claims the block it borrows from.
        Assert.Equal(MigrateType.Unmovable, m.Allocator.PageblockMigrateType(pfn));
        var snapshot = MemorySnapshot.Capture(m, showCma: false);
        var dma32 = snapshot.Zones.Single(z => z.ZoneName == "DMA32");
        Assert.True(dma32.PageblockCounts[(int)MigrateType.Unmovable] >= 1);
        m.AssertConsistent();
    }

    /// <summary>
    /// can_steal_fallback() / should_try_claim_block(): a movable request that borrows a block
    /// smaller than half a pageblock takes just that block, even from a pageblock that is mostly
    /// free. Every unmovable pageblock here has 3 of its 4 pages free (more than half, so claimable
    /// by size), but only in order-0 and order-1 pieces.
    /// </summary>
    [Fact]
    public void Movable_allocations_that_cannot_claim_leave_the_block_type_alone()
    {
        using var m = TestMachines.Boot(memoryBytes: 128L << 20);
        FillWithUnmovablePageblocks(m, keep: pfnInBlock => pfnInBlock % 4 == 3);
        AssertMovableRequestStealsWithoutClaiming(m);
    }

    /// <summary>
    /// try_to_claim_block(): a movable request may borrow a block large enough to steal the
    /// pageblock (order 4 here), but claims it only when free and movable pages make up half of
    /// it. Every unmovable pageblock here has one free order-4 block and the rest in use.
    /// </summary>
    [Fact]
    public void Movable_allocations_from_a_mostly_used_pageblock_leave_the_block_type_alone()
    {
        using var m = TestMachines.Boot(memoryBytes: 128L << 20);
        FillWithUnmovablePageblocks(m, keep: pfnInBlock => pfnInBlock >= 16);
        AssertMovableRequestStealsWithoutClaiming(m);
    }

    /// <summary>
    /// Every page allocated, most of it as unmovable order-9 blocks (each claims its pageblock for
    /// Unmovable); then each of those is split and its pages freed except those <paramref name="keep"/>
    /// names (by offset in the block), and the caches drained: the only free memory is in unmovable
    /// pageblocks, in the pieces the pattern leaves.
    /// </summary>
    internal static void FillWithUnmovablePageblocks(Machine m, Func<uint, bool> keep)
    {
        const GfpFlags everything = GfpFlags.Kernel | GfpFlags.MemAlloc | GfpFlags.NoWarn;
        var blocks = new List<Pfn>();
        while (m.TryAllocPages(everything, 9, out var block))
        {
            blocks.Add(block);
        }

        while (m.TryAllocPages(everything, 0, out _))
        {
        }

        Assert.Equal(0, m.FreePagesTotal());
        foreach (var block in blocks)
        {
            Assert.Equal(MigrateType.Unmovable, m.Allocator.PageblockMigrateType(block));
            m.Allocator.SplitPage(block, 9);
            for (uint i = 0; i < Pageblock.Pages; i++)
            {
                if (!keep(i))
                {
                    m.FreePages(block + i, 0);
                }
            }
        }

        m.Allocator.DrainAllPages();
        m.AssertConsistent();
    }

    private static void AssertMovableRequestStealsWithoutClaiming(Machine m)
    {
        long UnmovableBlocks() => MemorySnapshot.Capture(m, showCma: false).Zones.Sum(z => z.PageblockCounts[(int)MigrateType.Unmovable]);
        long before = UnmovableBlocks();

        Assert.True(m.TryAllocPages(GfpFlags.HighUserMovable, 0, out var pfn));

        // The page came from an unmovable pageblock (a fallback), and that block, like every other, kept its type.
        Assert.Equal(MigrateType.Unmovable, m.Allocator.PageblockMigrateType(pfn));
        Assert.Equal(before, UnmovableBlocks());
        m.AssertConsistent();
    }

    [Fact]
    public void Mixed_workloads_keep_every_invariant()
    {
        const int seed = 424242;
        Console.WriteLine($"seed {seed}");
        using var m = TestMachines.Boot(memoryBytes: 128L << 20);
        var rng = new Random(seed);
        GfpFlags[] masks = [GfpFlags.Kernel, GfpFlags.HighUserMovable, GfpFlags.Kernel | GfpFlags.Reclaimable, GfpFlags.Atomic, GfpFlags.Kernel | GfpFlags.Dma];
        m.RunMixedWorkload(rng, steps: 20000, masks, r => r.Next(10) < 7 ? 0 : r.Next(PageOrder.Count), step =>
        {
            if (step % 2500 == 0)
            {
                m.AssertConsistent();
            }
        });

        m.AssertConsistent();
        Assert.Equal(0, m.Allocator.BadPageCount);
        var snapshot = MemorySnapshot.Capture(m, showCma: false);
        Assert.True(snapshot.Zones.Sum(z => z.PageblockCounts[(int)MigrateType.Unmovable] + z.PageblockCounts[(int)MigrateType.Reclaimable]) > 0);
    }
}
