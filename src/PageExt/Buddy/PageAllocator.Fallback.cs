using PageExt.Pages;
using PageExt.Zones;

namespace PageExt.Buddy;

public sealed unsafe partial class PageAllocator
{
    /// <summary>fallbacks[]: where each mobility type may borrow from, in order.</summary>
    private static readonly MigrateType[][] s_fallbacks =
    [
        [MigrateType.Reclaimable, MigrateType.Movable],   // Unmovable
        [MigrateType.Reclaimable, MigrateType.Unmovable], // Movable
        [MigrateType.Unmovable, MigrateType.Movable],     // Reclaimable
    ];

    /// <summary>
    /// __rmqueue_fallback(): no block of the requested type is free, so borrow from another type.
    /// Take the largest block available, so the borrowing spreads into as few pageblocks as
    /// possible, and try to claim its whole pageblock for the requested type; a movable request
    /// that cannot claim takes the smallest block instead, to keep unmovable blocks intact. This is
    /// where pageblocks become mixed.
    /// </summary>
    private uint RmqueueFallbackLocked(Zone zone, int order, MigrateType start)
    {
        if (start >= MigrateType.HighAtomic)
        {
            return Page.NoPfn;
        }

        int current;
        MigrateType fallback = default;
        bool canSteal = false, found = false;
        for (current = PageOrder.Max; current >= order; current--)
        {
            if (FindSuitableFallback(zone, current, start, out fallback, out canSteal))
            {
                found = true;
                break;
            }
        }

        if (!found)
        {
            return Page.NoPfn;
        }

        if (!canSteal && start == MigrateType.Movable && current > order)
        {
            for (current = order; current <= PageOrder.Max; current++)
            {
                if (FindSuitableFallback(zone, current, start, out fallback, out canSteal))
                {
                    break;
                }
            }
        }

        uint pfn = zone.FirstFree(current, fallback);
        if (canSteal && TryClaimBlockLocked(zone, pfn, current, start, fallback))
        {
            pfn = RmqueueSmallestLocked(zone, order, start);
        }
        else
        {
            // Steal just this block: the pieces expand() returns stay with the block's own type.
            zone.DelFromFreeListLocked(pfn, current, fallback);
            ExpandLocked(zone, pfn, order, current, fallback);
        }

        // __rmqueue_claim() and __rmqueue_steal() trace the block they hand out.
        if (AllocatorHookTable.Supported && _hooks is { Extfrag.Length: > 0 } hooks && pfn != Page.NoPfn)
        {
            ExtfragHookSlow(hooks, pfn, order, current, start, fallback);
        }

        return pfn;
    }

    /// <summary>find_suitable_fallback(): the first fallback type with a free block of this order.</summary>
    private static bool FindSuitableFallback(Zone zone, int order, MigrateType start, out MigrateType fallback, out bool canSteal)
    {
        fallback = default;
        canSteal = false;
        if (zone.FreeBlocks(order) == 0)
        {
            return false;
        }

        foreach (var candidate in s_fallbacks[(int)start])
        {
            if (zone.FirstFree(order, candidate) != Page.NoPfn)
            {
                fallback = candidate;
                canSteal = CanStealFallback(order, start);
                return true;
            }
        }

        return false;
    }

    /// <summary>can_steal_fallback(): big enough, or unmovable/reclaimable, to take the whole pageblock.</summary>
    private static bool CanStealFallback(int order, MigrateType start) =>
        order >= Pageblock.Order / 2 || start == MigrateType.Reclaimable || start == MigrateType.Unmovable;

    /// <summary>
    /// try_to_claim_block(): convert the pageblock(s) of a borrowed block to the requested type when
    /// the block is at least a pageblock, or when free plus compatible pages make up half of it.
    /// Free pages in the block move to the new type's lists.
    /// </summary>
    private bool TryClaimBlockLocked(Zone zone, uint pfn, int order, MigrateType start, MigrateType blockType)
    {
        if (order >= Pageblock.Order)
        {
            zone.MoveToFreeListLocked(pfn, order, blockType, start);
            for (uint p = pfn; p < pfn + (1u << order); p += Pageblock.Pages)
            {
                _memory.SetPageblockType(p, start);
            }

            return true;
        }

        uint blockStart = pfn & ~(uint)(Pageblock.Pages - 1);
        if (!BlockWithinZone(zone, blockStart))
        {
            return false;
        }

        CountPageblock(blockStart, out int freePages, out int movablePages);
        int alike = start == MigrateType.Movable ? movablePages
            : blockType == MigrateType.Movable ? Pageblock.Pages - (freePages + movablePages)
            : 0;
        if (freePages + alike < Pageblock.Pages / 2)
        {
            return false;
        }

        MoveFreePagesBlockLocked(zone, blockStart, blockType, start);
        return true;
    }

    private static bool BlockWithinZone(Zone zone, uint blockStart) =>
        blockStart >= zone.StartPfn.Value && blockStart + Pageblock.Pages <= zone.EndPfn.Value;

    /// <summary>Free pages (on buddy lists) and pages allocated as movable in one pageblock.</summary>
    private void CountPageblock(uint blockStart, out int freePages, out int movablePages)
    {
        freePages = 0;
        movablePages = 0;
        uint end = blockStart + Pageblock.Pages;
        for (uint p = blockStart; p < end;)
        {
            Page* page = _vmemmap + p;
            if (page->Type == (byte)PageType.Buddy)
            {
                freePages += 1 << (int)page->Private;
                p += 1u << (int)page->Private;
                continue;
            }

            if ((page->State & (byte)PageState.InUse) != 0 && page->HeadPfnPlusOne == 0)
            {
                int pages = 1 << page->AllocOrder;
                if (page->MigrateType == (byte)MigrateType.Movable)
                {
                    movablePages += pages;
                }

                p += (uint)pages;
                continue;
            }

            p++;
        }
    }

    /// <summary>
    /// move_freepages_block(): set a pageblock's type and move every free block in it to the new
    /// type's lists. Caller holds the zone lock. Returns the free pages moved.
    /// </summary>
    internal long MoveFreePagesBlockLocked(Zone zone, uint blockStart, MigrateType from, MigrateType to)
    {
        long moved = 0;
        uint end = blockStart + Pageblock.Pages;
        for (uint p = blockStart; p < end;)
        {
            Page* page = _vmemmap + p;
            if (page->Type == (byte)PageType.Buddy)
            {
                int order = (int)page->Private;
                zone.MoveToFreeListLocked(p, order, from, to);
                moved += 1L << order;
                p += 1u << order;
                continue;
            }

            p++;
        }

        _memory.SetPageblockType(blockStart, to);
        return moved;
    }

    /// <summary>
    /// reserve_highatomic_pageblock(): a successful high-order atomic allocation reserves its
    /// pageblock for future ones, up to about 1% of the zone.
    /// </summary>
    private void ReserveHighAtomicPageblock(Zone zone, uint pfn)
    {
        long maxManaged = (zone.ManagedPages / 100) + Pageblock.Pages;
        if (Volatile.Read(ref zone.ReservedHighAtomic) >= maxManaged)
        {
            return;
        }

        lock (zone.Lock)
        {
            uint blockStart = pfn & ~(uint)(Pageblock.Pages - 1);
            var type = _memory.PageblockType(blockStart);
            if (zone.ReservedHighAtomic >= maxManaged || type >= MigrateType.HighAtomic || !BlockWithinZone(zone, blockStart))
            {
                return;
            }

            MoveFreePagesBlockLocked(zone, blockStart, type, MigrateType.HighAtomic);
            Volatile.Write(ref zone.ReservedHighAtomic, zone.ReservedHighAtomic + Pageblock.Pages);
        }
    }

    /// <summary>
    /// unreserve_highatomic_pageblock(): before failing an allocation, give reserved pageblocks
    /// back to the requested type. Returns true if any was given back.
    /// </summary>
    private bool UnreserveHighAtomicPageblocks(Zone[] zonelist, MigrateType type)
    {
        if (type >= MigrateType.HighAtomic)
        {
            return false;
        }

        bool any = false;
        foreach (var zone in zonelist)
        {
            if (Volatile.Read(ref zone.ReservedHighAtomic) == 0)
            {
                continue;
            }

            lock (zone.Lock)
            {
                for (ulong block = zone.StartPfn.Value; block < zone.EndPfn.Value && zone.ReservedHighAtomic > 0; block += Pageblock.Pages)
                {
                    if (_memory.IsOnline(block) && _memory.PageblockZone(block) == zone.Index
                        && _memory.PageblockType(block) == MigrateType.HighAtomic)
                    {
                        MoveFreePagesBlockLocked(zone, (uint)block, MigrateType.HighAtomic, type);
                        Volatile.Write(ref zone.ReservedHighAtomic, zone.ReservedHighAtomic - Pageblock.Pages);
                        any = true;
                    }
                }
            }
        }

        return any;
    }
}
