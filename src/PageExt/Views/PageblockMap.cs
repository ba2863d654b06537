using PageExt.PageOwner;
using PageExt.Pages;
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
public static unsafe class PageblockMap
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

            // End of the free block last seen: one of order above the pageblock order runs into the next blocks.
            ulong freeUntil = 0;
            for (ulong start = zone.StartPfn.Value & ~(ulong)(Pageblock.Pages - 1); start < end; start += Pageblock.Pages)
            {
                int pages = 0;
                int free = 0;
                ulong blockEnd = Math.Min(start + Pageblock.Pages, end);
                for (ulong pfn = Math.Max(start, zone.StartPfn.Value); pfn < blockEnd; pfn++)
                {
                    if (allocator.ZoneOf(new Pfn(pfn)) != zone)
                    {
                        continue;
                    }

                    Page* page = allocator.PageAt(pfn);
                    if (pfn >= freeUntil && page->Type is (byte)PageType.Buddy or (byte)PageType.PerCpu or (byte)PageType.Guard
                        && page->Private <= Buddy.PageOrder.Max)
                    {
                        freeUntil = pfn + (1UL << (int)page->Private);
                    }

                    if (pfn < freeUntil)
                    {
                        ulong run = Math.Min(freeUntil, blockEnd) - pfn;
                        pages += (int)run;
                        free += (int)run;
                        pfn += run - 1;
                        continue;
                    }

                    pages++;
                }

                if (pages == 0)
                {
                    continue;
                }

                var type = MigrateTypes.Name(allocator.PageblockMigrateType(new Pfn(Math.Max(start, zone.StartPfn.Value))));
                blocks.Add(new PageblockState(zone.Node, zone.Name, start, pages, free, type, mixed?.Contains(start)));
            }
        }

        return blocks;
    }
}
