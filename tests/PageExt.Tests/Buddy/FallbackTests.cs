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

    [Fact]
    public void Movable_allocations_that_cannot_claim_leave_the_block_type_alone()
    {
        using var m = TestMachines.Boot();
        // Turn every block unmovable by filling memory with unmovable order-9 blocks, then free them.
        var blocks = new List<Pfn>();
        while (m.TryAllocPages(GfpFlags.Kernel | GfpFlags.NoWarn, 9, out var b))
        {
            blocks.Add(b);
        }

        foreach (var b in blocks)
        {
            m.FreePages(b, 9);
        }

        m.AssertConsistent();
        Assert.True(m.TryAllocPages(GfpFlags.HighUserMovable, 0, out var pfn));
        m.AssertConsistent();
        Assert.NotNull(m.Allocator.ZoneOf(pfn));
    }

    [Fact]
    public void Mixed_workloads_keep_every_invariant()
    {
        const int seed = 424242;
        Console.WriteLine($"seed {seed}");
        using var m = TestMachines.Boot(memoryBytes: 128L << 20);
        var rng = new Random(seed);
        var live = new List<(Pfn Pfn, int Order)>();
        GfpFlags[] masks = [GfpFlags.Kernel, GfpFlags.HighUserMovable, GfpFlags.Kernel | GfpFlags.Reclaimable, GfpFlags.Atomic, GfpFlags.Kernel | GfpFlags.Dma];
        for (int step = 0; step < 20000; step++)
        {
            if (live.Count > 0 && rng.Next(3) == 0)
            {
                int i = rng.Next(live.Count);
                m.FreePages(live[i].Pfn, live[i].Order);
                live[i] = live[^1];
                live.RemoveAt(live.Count - 1);
            }
            else
            {
                int order = rng.Next(10) < 7 ? 0 : rng.Next(PageOrder.Count);
                if (m.TryAllocPages(masks[rng.Next(masks.Length)] | GfpFlags.NoWarn, order, out var pfn))
                {
                    live.Add((pfn, order));
                }
            }

            if (step % 2500 == 0)
            {
                m.AssertConsistent();
            }
        }

        m.AssertConsistent();
        Assert.Equal(0, m.Allocator.BadPageCount);
        var snapshot = MemorySnapshot.Capture(m, showCma: false);
        Assert.True(snapshot.Zones.Sum(z => z.PageblockCounts[(int)MigrateType.Unmovable] + z.PageblockCounts[(int)MigrateType.Reclaimable]) > 0);
    }
}
