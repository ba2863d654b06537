using PageExt.PageExtension;
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
        for (var walk = allocator.WalkPfns(zone.StartPfn.Value, zone.EndPfn.Value, zone); walk.MoveNext();)
        {
            if (walk.IsFree || walk.IsReserved)
            {
                continue;
            }

            ulong pfn = walk.Pfn;
            var entry = owner.EntryOf(pfn, out ulong* flags);
            if (entry == null || (*flags & (ulong)PageExtFlags.OwnerAllocated) == 0)
            {
                continue;
            }

            var blockType = allocator.PageblockMigrateType(new Pfn(pfn));
            if (PageOwner.GfpMigrateType(entry->GfpMask) != blockType)
            {
                ulong blockStart = pfn & ~(ulong)(Pageblock.Pages - 1);
                mixed(blockStart, blockType);
                walk.ResumeAt(Math.Min(blockStart + Pageblock.Pages, zone.EndPfn.Value));
                continue;
            }

            walk.ResumeAt(pfn + (1UL << entry->Order));
        }
    }
}
