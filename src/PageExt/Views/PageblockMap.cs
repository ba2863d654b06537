using PageExt.PageOwner;
using PageExt.Physical;
using PageExt.Zones;

namespace PageExt.Views;

/// <summary>
/// Every pageblock of every populated zone with its type, how much of it is free and whether it is
/// mixed: the live machine's side of the report's memory map. A view: it reads the page
/// descriptors without the zone lock, as /proc/pagetypeinfo does, and changes nothing. Mixed blocks
/// come from <see cref="MixedBlocks.Walk"/>, so their count per zone and type is exactly what
/// "Number of mixed blocks" prints.
/// </summary>
public static class PageblockMap
{
    public static IReadOnlyList<PageblockState> Capture(Machine machine)
    {
        ArgumentNullException.ThrowIfNull(machine);
        var blocks = new List<PageblockState>();
        var owner = machine.PageOwner;
        var allocator = machine.Allocator;
        foreach (var zone in machine.PopulatedZones)
        {
            HashSet<ulong>? mixed = null;
            if (owner.IsEnabled)
            {
                mixed = [];
                MixedBlocks.Walk(owner, zone, (start, _) => mixed.Add(start));
            }

            ulong end = zone.EndPfn.Value;
            ulong block = ulong.MaxValue;
            int pages = 0, free = 0;
            void Flush()
            {
                if (pages > 0)
                {
                    var type = MigrateTypes.Name(allocator.PageblockMigrateType(new Pfn(Math.Max(block, zone.StartPfn.Value))));
                    blocks.Add(new PageblockState(zone.Node, zone.Name, block, pages, free, type, mixed?.Contains(block)));
                }
            }

            // A free block above the pageblock order runs on into the next pageblocks: each gets its share.
            for (var walk = allocator.WalkPfns(zone.StartPfn.Value, end, zone); walk.MoveNext();)
            {
                ulong pfn = walk.Pfn;
                ulong until = walk.IsFree ? Math.Min(pfn + (1UL << walk.FreeOrder), end) : pfn + 1;
                while (pfn < until)
                {
                    ulong start = pfn & ~(ulong)(Pageblock.Pages - 1);
                    if (start != block)
                    {
                        Flush();
                        (block, pages, free) = (start, 0, 0);
                    }

                    int run = (int)(Math.Min(start + Pageblock.Pages, until) - pfn);
                    pages += run;
                    free += walk.IsFree ? run : 0;
                    pfn += (ulong)run;
                }
            }

            Flush();
        }

        return blocks;
    }
}
