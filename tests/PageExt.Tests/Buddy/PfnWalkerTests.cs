using PageExt.Buddy;
using PageExt.Zones;

namespace PageExt.Tests.Buddy;

public sealed class PfnWalkerTests
{
    [Fact]
    public void A_walk_covers_every_online_pfn_once_visiting_free_blocks_only_at_their_heads_and_allocated_pages_one_by_one()
    {
        using var m = TestMachines.Boot(memoryBytes: 128L << 20, cpus: 1);
        Assert.True(m.Allocator.TryAllocPages(GfpFlags.Kernel, 3, out var block));
        var zone = m.Allocator.ZoneOf(block)!;

        long covered = 0;
        var visited = new HashSet<ulong>();
        bool headInUse = false;
        ulong expected = zone.StartPfn.Value;
        for (var walk = m.Allocator.WalkPfns(zone.StartPfn.Value, zone.EndPfn.Value); walk.MoveNext();)
        {
            Assert.Equal(expected, walk.Pfn);
            ulong pages = walk.IsFree ? 1UL << walk.FreeOrder : 1;
            if (walk.IsFree)
            {
                Assert.Equal(0UL, walk.Pfn & (pages - 1));
            }
            else
            {
                visited.Add(walk.Pfn);
                headInUse |= walk.Pfn == block.Value && walk.IsInUse;
            }

            covered += (long)pages;
            expected = walk.Pfn + pages;
        }

        Assert.Equal((long)zone.SpannedPages, covered);
        Assert.All(Enumerable.Range(0, 8), i => Assert.Contains(block.Value + (ulong)i, visited));
        Assert.True(headInUse);
        m.FreePages(block, 3);
    }

    [Fact]
    public void A_walk_of_one_zone_visits_no_page_of_another()
    {
        using var m = TestMachines.Boot(memoryBytes: 128L << 20, cpus: 1);
        var dma = m.Nodes[0].Zone(ZoneType.Dma);

        for (var walk = m.Allocator.WalkPfns(0, m.Memory.MaxPfn, dma); walk.MoveNext();)
        {
            Assert.InRange(walk.Pfn, dma.StartPfn.Value, dma.EndPfn.Value - 1);
        }
    }

    [Fact]
    public void A_walk_steps_over_sections_that_are_not_online()
    {
        using var m = TestMachines.Boot(memoryBytes: 128L << 20, hotplugBytes: 256L << 20, cpus: 1);
        ulong bootEnd = 128UL << 20 >> 12;

        ulong last = 0;
        for (var walk = m.Allocator.WalkPfns(0, m.Memory.MaxPfn); walk.MoveNext();)
        {
            last = walk.Pfn;
        }

        Assert.InRange(last, bootEnd - 1024, bootEnd - 1);
    }

    [Fact]
    public void ResumeAt_moves_the_walk_on_to_the_given_pfn()
    {
        using var m = TestMachines.Boot(memoryBytes: 128L << 20, cpus: 1);
        var walk = m.Allocator.WalkPfns(0, m.Memory.MaxPfn);
        Assert.True(walk.MoveNext());
        walk.ResumeAt(walk.Pfn + 5000);
        Assert.True(walk.MoveNext());

        Assert.True(walk.Pfn >= 5000);
    }
}
