using PageExt.Physical;
using PageExt.Zones;

namespace PageExt.Tests.Physical;

public sealed class PageblockTableTests
{
    private const ulong MaxPfn = 8 * Pageblock.Pages;

    [Fact]
    public void A_new_table_reads_unmovable_in_zone_0_everywhere()
    {
        var table = new PageblockTable(MaxPfn);
        try
        {
            for (ulong pfn = 0; pfn < MaxPfn; pfn += Pageblock.Pages / 2)
            {
                Assert.Equal((byte)MigrateType.Unmovable, table.Type(pfn));
                Assert.Equal(0, table.Zone(pfn));
            }
        }
        finally
        {
            table.Release();
        }
    }

    [Fact]
    public void Setting_any_pfn_of_a_pageblock_sets_the_whole_pageblock_and_no_other()
    {
        var table = new PageblockTable(MaxPfn);
        try
        {
            table.SetType((3 * Pageblock.Pages) + 17, (byte)MigrateType.Movable);
            table.SetZone((3 * Pageblock.Pages) + 17, 2);

            Assert.Equal((byte)MigrateType.Movable, table.Type(3 * Pageblock.Pages));
            Assert.Equal((byte)MigrateType.Movable, table.Type((4 * Pageblock.Pages) - 1));
            Assert.Equal((byte)MigrateType.Unmovable, table.Type((3 * Pageblock.Pages) - 1));
            Assert.Equal((byte)MigrateType.Unmovable, table.Type(4 * Pageblock.Pages));
            Assert.Equal(2, table.Zone(3 * Pageblock.Pages));
            Assert.Equal(0, table.Zone(4 * Pageblock.Pages));
        }
        finally
        {
            table.Release();
        }
    }

    [Fact]
    public void Clearing_zones_marks_exactly_the_range_s_pageblocks_as_in_no_zone()
    {
        var table = new PageblockTable(MaxPfn);
        try
        {
            for (ulong pfn = 0; pfn < MaxPfn; pfn += Pageblock.Pages)
            {
                table.SetZone(pfn, 1);
            }

            table.ClearZones(2 * Pageblock.Pages, 4 * Pageblock.Pages);

            int[] zones = [.. Enumerable.Range(0, 8).Select(b => table.Zone((ulong)b * Pageblock.Pages))];
            Assert.Equal([1, 1, Pageblock.NoZone, Pageblock.NoZone, Pageblock.NoZone, Pageblock.NoZone, 1, 1], zones);
        }
        finally
        {
            table.Release();
        }
    }

    [Fact]
    public void Release_twice_frees_once()
    {
        var table = new PageblockTable(MaxPfn);

        table.Release();
        table.Release();
    }
}
