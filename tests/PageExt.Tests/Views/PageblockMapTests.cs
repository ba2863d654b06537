using PageExt.Buddy;
using PageExt.PageOwner;
using PageExt.Views;
using PageExt.Zones;

namespace PageExt.Tests.Views;

/// <summary>The live memory map agrees with pagetypeinfo: the same pageblocks, the same mixed blocks, the same free pages.</summary>
public class PageblockMapTests
{
    [Fact]
    public void Map_has_pagetypeinfos_pageblocks_and_mixed_blocks_per_zone_and_type()
    {
        using var m = TestMachines.Boot(memoryBytes: 128L << 20, cmdline: "page_owner=on");
        var held = new List<(PageExt.Physical.Pfn Pfn, int Order)>();
        var random = new Random(5);
        // Unmovable and movable allocations interleaved until memory is tight, so fallbacks mix blocks.
        for (int i = 0; i < 30000; i++)
        {
            var gfp = random.Next(3) == 0 ? GfpFlags.Kernel : GfpFlags.HighUserMovable;
            int order = random.Next(4) == 0 ? 2 : 0;
            if (m.TryAllocPages(gfp, order, out var pfn))
            {
                held.Add((pfn, order));
            }

            if (held.Count > 0 && random.Next(3) == 0)
            {
                int victim = random.Next(held.Count);
                m.FreePages(held[victim].Pfn, held[victim].Order);
                held.RemoveAt(victim);
            }
        }

        var map = PageblockMap.Capture(m);
        foreach (var zone in m.PopulatedZones)
        {
            var blocks = map.Where(b => b.ZoneName == zone.Name && b.Node == zone.Node).ToList();
            long[] mixed = MixedBlocks.Count(m.PageOwner, zone);
            foreach (var type in Enum.GetValues<MigrateType>())
            {
                long expected = type == MigrateType.Cma ? 0 : mixed[(int)type];
                long counted = blocks.Count(b => b.Mixed == true && (b.MigrateType == MigrateTypes.Name(type)
                    || (type == MigrateType.Movable && b.MigrateType == MigrateTypes.Name(MigrateType.Cma))));
                Assert.Equal(expected, counted);
            }

            var snapshot = ProcFiles.Snapshot(m).Zones.Single(z => z.ZoneName == zone.Name && z.Node == zone.Node);
            Assert.Equal(snapshot.PageblockCounts.Sum(), blocks.Count);
            Assert.Equal(zone.PresentPages, blocks.Sum(b => (long)b.Pages));
        }

        Assert.True(map.Any(b => b.Mixed == true), "the workload left no mixed block to compare");
    }

    [Fact]
    public void Free_pages_of_the_map_are_the_zones_free_pages()
    {
        using var m = TestMachines.Boot(memoryBytes: 64L << 20);
        Assert.True(m.TryAllocPages(GfpFlags.Kernel, 3, out var pfn));
        m.Allocator.DrainAllPages();
        var map = PageblockMap.Capture(m);
        foreach (var zone in m.PopulatedZones)
        {
            Assert.Equal(zone.FreePages, map.Where(b => b.ZoneName == zone.Name).Sum(b => (long)b.FreePages));
        }

        Assert.All(map, b => Assert.Null(b.Mixed));
        m.FreePages(pfn, 3);
    }
}
