using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using PageExt.Errors;
using PageExt.Pages;
using PageExt.Physical;
using PageExt.Zones;

namespace PageExt.Buddy;

public sealed unsafe partial class PageAllocator
{
    /// <summary>
    /// __alloc_pages(): validate, try this thread's cache, then the zones. Only the cache hit is
    /// inlined into callers; everything else is a call, so that the hit stays small enough for
    /// the JIT to inline whole even into a caller that has inlined much else.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private uint AllocPagesCore(GfpFlags gfp, int order, int preferredNode)
    {
        var set = t_pageset;
        if ((uint)order > PageOrder.Max)
        {
            ThrowOrderTooLarge(order);
        }

        int highest = GfpZone(gfp);
        var type = gfp.MigrateType();

        // Fast path: a block already in this thread's cache for the first zone. Those pages were
        // taken off the zone's free count when cached, so no watermark is at stake.
        if (order <= PageOrder.Costly && type < MigrateType.HighAtomic)
        {
            int first = _fastZone[(preferredNode * ZoneTypes.Count) + highest];
            if (first >= 0)
            {
                // The window stays open until the descriptor is written: shutdown waits for it. A
                // machine with clients never gets a block here (see PageSet.FastPathBlocked), so
                // only the gfp mask can ask for more.
                set = CurrentPageSet(set);
                uint cached = RmqueuePcplist(set, first, order, type, unlessClients: true);
                if (cached != Page.NoPfn)
                {
                    CountAlloc(set, first, order);
                    PrepNewPage(_zoneFlagBits[first], cached, order, type);
                    Volatile.Write(ref set->InUse, 0);
                    if ((gfp & PrepNewPageSlowGfp) != 0)
                    {
                        PrepNewPageSlowOutsideWindow(cached, order, gfp);
                    }

                    return cached;
                }

                Volatile.Write(ref set->InUse, 0);
                if (AllocatorHookTable.Supported && _hooks is not null)
                {
                    return AllocPagesCachedForClients(gfp, order, preferredNode, highest, first, type);
                }
            }
        }

        return AllocPagesFromZones(gfp, order, preferredNode, highest, type);
    }

    /// <summary>
    /// The cache hit of a machine with clients: the fast path's steps, then the clients, out of
    /// line so that the fast path keeps one test for drains and clients together.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private uint AllocPagesCachedForClients(GfpFlags gfp, int order, int preferredNode, int highest, int first, MigrateType type)
    {
        var set = CurrentPageSet();
        uint cached = RmqueuePcplist(set, first, order, type);
        if (cached != Page.NoPfn)
        {
            CountAlloc(set, first, order);
            PrepNewPage(_zoneFlagBits[first], cached, order, type);
            Volatile.Write(ref set->InUse, 0);
            PrepNewPageSlowOutsideWindow(cached, order, gfp);
            return cached;
        }

        Volatile.Write(ref set->InUse, 0);
        return AllocPagesFromZones(gfp, order, preferredNode, highest, type);
    }

    /// <summary>get_page_from_freelist() at the low watermark, then the slow path, for whatever the cache did not have.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private uint AllocPagesFromZones(GfpFlags gfp, int order, int preferredNode, int highest, MigrateType type)
    {
        // A machine that has shut down has no fast zones, so every call ends up here and throws.
        using var operation = EnterOperation();
        var alloc = type == MigrateType.Movable ? AllocFlags.Cma : 0;
        var zonelist = _zonelists[preferredNode][highest];
        uint pfn = GetPageFromFreelist(zonelist, gfp, order, type, alloc | AllocFlags.WmarkLow, highest);
        if (pfn == Page.NoPfn)
        {
            pfn = AllocPagesSlowPath(zonelist, gfp, order, type, alloc, highest);
            if (pfn == Page.NoPfn)
            {
                return pfn;
            }
        }

        CountAlloc(CurrentPageSet(), _memory.PageblockZone(pfn), order);
        PrepNewPage(ZoneOfOnline(pfn).FlagBits, pfn, order, type);
        if ((gfp & PrepNewPageSlowGfp) != 0 || (AllocatorHookTable.Supported && _hooks is not null))
        {
            PrepNewPageSlow(pfn, order, gfp);
        }

        return pfn;
    }

    [MethodImpl(MethodImplOptions.NoInlining), DoesNotReturn]
    private static void ThrowOrderTooLarge(int order) =>
        ThrowHelper.ThrowArgumentOutOfRange(nameof(order), $"order {order} is above MAX_PAGE_ORDER ({PageOrder.Max})");

    /// <summary>gfp_zone(): the highest zone index an allocation may use.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int GfpZone(GfpFlags gfp)
    {
        const GfpFlags zoneBits = GfpFlags.Dma | GfpFlags.HighMem | GfpFlags.Dma32 | GfpFlags.Movable | GfpFlags.Reclaimable;
        var bits = gfp & zoneBits;
        if (bits == 0 || bits == GfpFlags.Movable || bits == GfpFlags.Reclaimable)
        {
            return (int)ZoneType.Normal;
        }

        return GfpZoneSlow(gfp);
    }

    /// <summary>
    /// True when a mask asks for two zones at once (__GFP_DMA, __GFP_DMA32, __GFP_HIGHMEM) or is
    /// both movable and reclaimable: the combinations gfp_zone() calls a bug. Callers that take
    /// masks from outside (workload files) check it to refuse the line instead of the allocation.
    /// </summary>
    internal static bool HasConflictingModifiers(GfpFlags gfp)
    {
        bool dma = (gfp & GfpFlags.Dma) != 0, dma32 = (gfp & GfpFlags.Dma32) != 0, high = (gfp & GfpFlags.HighMem) != 0;
        return (dma ? 1 : 0) + (dma32 ? 1 : 0) + (high ? 1 : 0) > 1 || (gfp & (GfpFlags.Movable | GfpFlags.Reclaimable)) == (GfpFlags.Movable | GfpFlags.Reclaimable);
    }

    private static int GfpZoneSlow(GfpFlags gfp)
    {
        bool dma = (gfp & GfpFlags.Dma) != 0, dma32 = (gfp & GfpFlags.Dma32) != 0, high = (gfp & GfpFlags.HighMem) != 0;
        if (HasConflictingModifiers(gfp))
        {
            ThrowHelper.ThrowArgument(nameof(gfp), $"gfp mask 0x{(uint)gfp:x} combines zone or mobility modifiers that exclude each other");
        }

        if (dma)
        {
            return (int)ZoneType.Dma;
        }

        if (dma32)
        {
            return (int)ZoneType.Dma32;
        }

        // __GFP_HIGHMEM with __GFP_MOVABLE is what makes an allocation eligible for ZONE_MOVABLE;
        // 64-bit has no highmem zone, so __GFP_HIGHMEM alone means Normal.
        return high && (gfp & GfpFlags.Movable) != 0 ? (int)ZoneType.Movable : (int)ZoneType.Normal;
    }

    /// <summary>get_page_from_freelist(): the first zone in the list above its watermark that has a block.</summary>
    private uint GetPageFromFreelist(Zone[] zonelist, GfpFlags gfp, int order, MigrateType type, AllocFlags alloc, int highest)
    {
        foreach (var zone in zonelist)
        {
            if ((alloc & AllocFlags.NoWatermarks) == 0)
            {
                var marks = zone.Watermarks;
                long mark = (alloc & AllocFlags.WmarkMin) != 0 ? marks.Min : marks.Low;
                if (!WatermarkOk(zone, order, mark, highest, alloc))
                {
                    continue;
                }
            }

            uint pfn = Rmqueue(zone, order, type, alloc);
            if (pfn != Page.NoPfn)
            {
                if ((alloc & AllocFlags.HighAtomic) != 0 && order > 0)
                {
                    ReserveHighAtomicPageblock(zone, pfn);
                }

                return pfn;
            }
        }

        return Page.NoPfn;
    }

    /// <summary>
    /// __zone_watermark_ok(): after taking 2^order pages the zone must keep more than the mark plus
    /// the lowmem reserve held back for allocations that could have used a higher zone.
    /// </summary>
    private static bool WatermarkOk(Zone zone, int order, long mark, int highest, AllocFlags alloc)
    {
        long free = zone.FreePages - ((1L << order) - 1);
        long min = mark;
        if ((alloc & AllocFlags.MinReserve) != 0)
        {
            min -= min / 2;
        }

        if ((alloc & AllocFlags.NonBlock) != 0)
        {
            min -= min / 4;
        }

        if ((alloc & AllocFlags.HighAtomic) == 0)
        {
            free -= Volatile.Read(ref zone.ReservedHighAtomic);
        }

        if ((alloc & AllocFlags.Cma) == 0)
        {
            free -= zone.FreeCmaPages;
        }

        if (free <= min + zone.LowmemReserve[highest])
        {
            return false;
        }

        if (order == 0)
        {
            return true;
        }

        // A high-order request also needs a free block of at least its order on a usable list.
        for (int o = order; o <= PageOrder.Max; o++)
        {
            if (zone.FreeBlocks(o) == 0)
            {
                continue;
            }

            for (int t = 0; t < MigrateTypes.PcpTypes; t++)
            {
                if (zone.FreeBlocks(o, (MigrateType)t) != 0)
                {
                    return true;
                }
            }

            if ((alloc & AllocFlags.Cma) != 0 && zone.FreeBlocks(o, MigrateType.Cma) != 0)
            {
                return true;
            }

            if ((alloc & AllocFlags.HighAtomic) != 0 && zone.FreeBlocks(o, MigrateType.HighAtomic) != 0)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>rmqueue(): per-CPU cache for small orders, the buddy lists otherwise.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private uint Rmqueue(Zone zone, int order, MigrateType type, AllocFlags alloc)
    {
        if (order <= PageOrder.Costly && type < MigrateType.HighAtomic && (alloc & AllocFlags.HighAtomic) == 0)
        {
            var set = CurrentPageSet();
            uint pfn = RmqueuePcplist(set, zone.Index, order, type, zone, alloc);
            Volatile.Write(ref set->InUse, 0);
            if (pfn != Page.NoPfn)
            {
                return pfn;
            }
        }

        return RmqueueBuddy(zone, order, type, alloc);
    }

    /// <summary>rmqueue_buddy(): one block straight from the buddy lists under the zone lock.</summary>
    private uint RmqueueBuddy(Zone zone, int order, MigrateType type, AllocFlags alloc)
    {
        lock (zone.Lock)
        {
            uint pfn = Page.NoPfn;
            if ((alloc & AllocFlags.HighAtomic) != 0)
            {
                pfn = RmqueueSmallestLocked(zone, order, MigrateType.HighAtomic);
            }

            if (pfn == Page.NoPfn)
            {
                pfn = RmqueueLocked(zone, order, type, alloc);
            }

            return pfn;
        }
    }

    /// <summary>__rmqueue(): the requested type's lists, CMA for movable requests, then fallback stealing.</summary>
    private uint RmqueueLocked(Zone zone, int order, MigrateType type, AllocFlags alloc)
    {
        // Balance movable allocations between CMA and the rest: use CMA first when it holds more
        // than half of the zone's free memory, as __rmqueue does, so CMA is not left idle.
        if ((alloc & AllocFlags.Cma) != 0 && zone.FreeCmaPages > zone.FreePages / 2)
        {
            uint cma = RmqueueSmallestLocked(zone, order, MigrateType.Cma);
            if (cma != Page.NoPfn)
            {
                return cma;
            }
        }

        uint pfn = RmqueueSmallestLocked(zone, order, type);
        if (pfn != Page.NoPfn)
        {
            return pfn;
        }

        if ((alloc & AllocFlags.Cma) != 0)
        {
            pfn = RmqueueSmallestLocked(zone, order, MigrateType.Cma);
            if (pfn != Page.NoPfn)
            {
                return pfn;
            }
        }

        return RmqueueFallbackLocked(zone, order, type);
    }

    /// <summary>__rmqueue_smallest(): the smallest free block of the type that fits, split down to size.</summary>
    private uint RmqueueSmallestLocked(Zone zone, int order, MigrateType type)
    {
        for (int current = order; current <= PageOrder.Max; current++)
        {
            uint pfn = zone.FirstFree(current, type);
            if (pfn != Page.NoPfn)
            {
                zone.DelFromFreeListLocked(pfn, current, type);
                ExpandLocked(zone, pfn, order, current, type);
                if (AllocatorHookTable.Supported && _hooks is { AllocZoneLocked.Length: > 0 } hooks)
                {
                    AllocZoneLockedHookSlow(hooks, pfn, order, type);
                }

                return pfn;
            }
        }

        return Page.NoPfn;
    }

    /// <summary>
    /// expand(): split a block of order <paramref name="high"/> at <paramref name="pfn"/> down to
    /// <paramref name="low"/>, returning each upper half to the free lists, or, below the
    /// guard-page order, setting it aside as a guard block (set_page_guard).
    /// </summary>
    private void ExpandLocked(Zone zone, uint pfn, int low, int high, MigrateType type)
    {
        while (high > low)
        {
            high--;
            uint half = pfn + (1u << high);
            if (high < _guardMinOrder)
            {
                SetPageGuardLocked(zone, half, high);
                continue;
            }

            zone.AddToFreeListLocked(half, high, type);
        }
    }

    /// <summary>
    /// set_page_guard(): the block is neither free nor allocated: on no list, not counted as free,
    /// merged back when its buddy is freed. Guard pages are counted by the zone so accounting stays
    /// symmetric (the spec notes v6.10+ kernels may drift here; this model does not).
    /// </summary>
    private void SetPageGuardLocked(Zone zone, uint pfn, int order)
    {
        Page* page = _vmemmap + pfn;
        page->Type = (byte)PageType.Guard;
        page->Private = (uint)order;
        page->Next = page->Prev = Page.NoPfn;
        zone.GuardPages += 1L << order;
        _guardHook?.OnGuardSet(pfn, order);
    }

    /// <summary>
    /// clear_page_guard(): a guard block stops being one, because it rejoins its merging buddy or
    /// its memory goes offline. The one place a guard block is cleared, so its owner always hears of it.
    /// </summary>
    internal void ClearPageGuardLocked(Zone zone, uint pfn, int order)
    {
        Page* page = _vmemmap + pfn;
        page->Type = (byte)PageType.None;
        page->Private = 0;
        zone.GuardPages -= 1L << order;
        _guardHook?.OnGuardCleared(pfn, order);
    }

    /// <summary>The gfp bits that make a block need <see cref="PrepNewPageSlow"/> whether or not the machine has clients.</summary>
    private const GfpFlags PrepNewPageSlowGfp = GfpFlags.Comp | GfpFlags.Zero;

    /// <summary>
    /// post_alloc_hook() / prep_new_page(): mark the block allocated. The caller then runs
    /// <see cref="PrepNewPageSlow"/> when the block also needs it (<see cref="PrepNewPageSlowGfp"/>,
    /// or clients), out of line, outside any cache window: a client may allocate in turn.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void PrepNewPage(ulong zoneBits, uint pfn, int order, MigrateType type)
    {
        Page* page = _vmemmap + pfn;
        page->Flags = zoneBits;

        // Both list links at once (an allocated block is on no list), then refcount 1 and private 0.
        *(ulong*)&page->Next = ulong.MaxValue;
        *(ulong*)&page->RefCount = 1;

        // The head link (0: not a tail) and the bookkeeping bytes as one 64-bit store: the free
        // check reads them as one 64-bit load, and a load that spans two narrower stores still in
        // the store buffer cannot be forwarded from them and waits for both to retire.
        *(ulong*)&page->HeadPfnPlusOne = (ulong)Page.PackBookkeeping(PageType.None, order, (byte)type, PageState.InUse | PageState.EverAllocated) << 32;
    }

    /// <summary><see cref="PrepNewPageSlow"/> for a block the fast path took, after its window closed.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void PrepNewPageSlowOutsideWindow(uint pfn, int order, GfpFlags gfp)
    {
        using var operation = EnterOperation();
        PrepNewPageSlow(pfn, order, gfp);
    }

    /// <summary>The rest of prep_new_page(): make the block compound, run the clients, zero it. Caller is inside an operation.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void PrepNewPageSlow(uint pfn, int order, GfpFlags gfp)
    {
        Page* page = _vmemmap + pfn;
        if (order != 0 && (gfp & GfpFlags.Comp) != 0)
        {
            PrepCompoundPage(page, pfn, order, page->Flags);
        }

        if (AllocatorHookTable.Supported && _hooks is not null)
        {
            PostAllocHookSlow(pfn, order, gfp);
        }
        else if ((gfp & GfpFlags.Zero) != 0)
        {
            ZeroPages(pfn, order);
        }
    }

    /// <summary>
    /// prep_compound_page(): a __GFP_COMP block marks its head and points every tail back at it.
    /// Plain blocks leave their tails untouched, as the kernel does; a misdirected free of one of
    /// their tails is found by searching for the covering head on the error path instead.
    /// </summary>
    private static void PrepCompoundPage(Page* head, uint pfn, int order, ulong zoneBits)
    {
        head->Flags |= (ulong)PageFlags.Head;
        uint count = 1u << order;
        for (uint i = 1; i < count; i++)
        {
            Page* tail = head + i;
            tail->Flags = zoneBits;
            tail->HeadPfnPlusOne = pfn + 1;
            tail->State = (byte)(PageState.InUse | PageState.EverAllocated);
            tail->Type = (byte)PageType.None;
            tail->RefCount = 0;
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void PostAllocHookSlow(uint pfn, int order, GfpFlags gfp)
    {
        var hooks = _hooks!;
        var p = new Pfn(pfn);
        foreach (var hook in hooks.AllocPrepare)
        {
            hook.PrepareAlloc(p, order, gfp);
        }

        if ((gfp & GfpFlags.Zero) != 0)
        {
            ZeroPages(pfn, order);
        }

        foreach (var hook in hooks.Alloc)
        {
            hook.OnAlloc(p, order, gfp);
        }
    }

    private void ZeroPages(uint pfn, int order) =>
        new Span<byte>((void*)_memory.PageAddress(pfn), PageSize.Bytes << order).Clear();

    /// <summary>
    /// __alloc_pages_slowpath() without reclaim or compaction (the model has neither): retry at
    /// the min watermark with the reserves the mask entitles the caller to, then give back
    /// high-atomic reserves, then fail (warning unless __GFP_NOWARN).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private uint AllocPagesSlowPath(Zone[] zonelist, GfpFlags gfp, int order, MigrateType type, AllocFlags alloc, int highest)
    {
        alloc |= AllocFlags.WmarkMin;
        if ((gfp & GfpFlags.High) != 0)
        {
            alloc |= AllocFlags.MinReserve;
        }

        if ((gfp & GfpFlags.DirectReclaim) == 0)
        {
            alloc |= AllocFlags.NonBlock;
            if (order > 0)
            {
                alloc |= AllocFlags.HighAtomic;
            }
        }

        uint pfn = GetPageFromFreelist(zonelist, gfp, order, type, alloc, highest);
        if (pfn == Page.NoPfn && (gfp & GfpFlags.MemAlloc) != 0 && (gfp & GfpFlags.NoMemAlloc) == 0)
        {
            pfn = GetPageFromFreelist(zonelist, gfp, order, type, alloc | AllocFlags.NoWatermarks, highest);
        }

        if (pfn == Page.NoPfn)
        {
            // What direct reclaim does first: pull every thread's cached pages back and retry.
            DrainAllPages();
            pfn = GetPageFromFreelist(zonelist, gfp, order, type, alloc, highest);
        }

        if (pfn == Page.NoPfn && UnreserveHighAtomicPageblocks(zonelist, type))
        {
            pfn = GetPageFromFreelist(zonelist, gfp, order, type, alloc, highest);
        }

        if (pfn == Page.NoPfn && (gfp & GfpFlags.NoFail) != 0)
        {
            // With nothing to reclaim, __GFP_NOFAIL can only be honoured from the reserves.
            pfn = GetPageFromFreelist(zonelist, gfp, order, type, alloc | AllocFlags.NoWatermarks, highest);
            if (pfn == Page.NoPfn)
            {
                WarnAlloc(gfp, order);
                throw new InsufficientMemoryException(
                    $"__GFP_NOFAIL allocation of order {order} cannot be satisfied: the machine has no free block of that order and nothing to reclaim");
            }
        }

        if (pfn == Page.NoPfn)
        {
            Interlocked.Increment(ref _allocFailures);
            if ((gfp & GfpFlags.NoWarn) == 0)
            {
                WarnAlloc(gfp, order);
            }
        }

        return pfn;
    }
}
