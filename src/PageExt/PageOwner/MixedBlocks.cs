using PageExt.PageExtension;
using PageExt.Pages;
using PageExt.Physical;
using PageExt.Zones;

namespace PageExt.PageOwner;

/// <summary>
/// pagetypeinfo_showmixedcount_print(): per zone and migrate type, the pageblocks that hold at
/// least one allocated page whose gfp asked for another type: the fragmentation the seed series
/// set out to measure. A CMA block is counted as Movable.
/// </summary>
public static unsafe class MixedBlocks
{
    /// <summary>Counts indexed by <see cref="MigrateType"/>.</summary>
    public static long[] Count(PageOwner owner, Zone zone)
    {
        ArgumentNullException.ThrowIfNull(owner);
        var counts = new long[MigrateTypes.Count];
        Walk(owner, zone, (_, blockType) => counts[(int)(blockType == MigrateType.Cma ? MigrateType.Movable : blockType)]++);
        return counts;
    }

    /// <summary>
    /// The kernel's walk, calling <paramref name="mixed"/> with the first PFN of every block it
    /// finds mixed and the block's type. Like the kernel it carries the PFN past a block's end when
    /// a buddy block or an allocation runs over it, so such a following block is never looked at.
    /// </summary>
    internal static void Walk(PageOwner owner, Zone zone, Action<ulong, MigrateType> mixed)
    {
        var allocator = owner.Allocator;
        using var operation = allocator.EnterOperation();
        using var reader = owner.PageExt.EnterReader();
        ulong end = zone.EndPfn.Value;
        for (ulong pfn = zone.StartPfn.Value; pfn < end;)
        {
            if (!allocator.Memory.IsOnline(pfn))
            {
                pfn = (pfn + Buddy.PageOrder.MaxOrderPages) & ~(ulong)(Buddy.PageOrder.MaxOrderPages - 1);
                continue;
            }

            ulong blockStart = pfn & ~(ulong)(Pageblock.Pages - 1);
            ulong blockEnd = Math.Min(blockStart + Pageblock.Pages, end);
            var blockType = allocator.PageblockMigrateType(new Pfn(pfn));
            for (; pfn < blockEnd; pfn++)
            {
                if (allocator.ZoneOf(new Pfn(pfn)) != zone)
                {
                    continue;
                }

                Page* page = allocator.PageAt(pfn);
                if (page->Type is (byte)PageType.Buddy or (byte)PageType.PerCpu)
                {
                    if (page->Private <= Buddy.PageOrder.Max)
                    {
                        pfn += (1UL << (int)page->Private) - 1;
                    }

                    continue;
                }

                if ((page->Flags & (ulong)PageFlags.Reserved) != 0)
                {
                    continue;
                }

                var entry = owner.EntryOf(pfn, out ulong* flags);
                if (entry == null || (*flags & (ulong)PageExtFlags.OwnerAllocated) == 0)
                {
                    continue;
                }

                if (PageOwner.GfpMigrateType(entry->GfpMask) != blockType)
                {
                    mixed(blockStart, blockType);
                    pfn = blockEnd;
                    break;
                }

                pfn += (1UL << entry->Order) - 1;
            }
        }
    }
}
