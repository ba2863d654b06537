using System.Runtime.CompilerServices;
using PageExt.Pages;
using PageExt.Zones;

namespace PageExt.Buddy;

public sealed unsafe partial class PageAllocator
{
    /// <summary>
    /// This thread's hot state for the machine it used last (one machine per process is the
    /// common case). A pointer, not an object, so that reaching it is one load after the runtime's
    /// thread-local lookup; the block it points into is kept alive by <see cref="t_caches"/>.
    /// </summary>
    [ThreadStatic]
    private static ThreadPageCache.PageSet* t_pageset;

    /// <summary>This thread's caches for every machine it has used.</summary>
    [ThreadStatic]
    private static List<ThreadPageCache>? t_caches;

    /// <summary>An object only this thread references: its caches' liveness token.</summary>
    [ThreadStatic]
    private static object? t_token;

    /// <summary>Source of allocator ids: never reused, never 0, so a stale pointer cannot match.</summary>
    private static long s_lastId;

    /// <summary>This allocator's id in its caches' <see cref="ThreadPageCache.PageSet.AllocatorId"/>.</summary>
    private readonly long _id = Interlocked.Increment(ref s_lastId);

    private readonly List<ThreadPageCache> _caches = [];
    private readonly Lock _cachesLock = new();
    private readonly Lock _drainLock = new();

    /// <summary>Per-CPU caches registered (threads that have allocated or freed small blocks, dead ones not yet reaped).</summary>
    public int CacheCount
    {
        get
        {
            ThrowIfShutDown();
            lock (_cachesLock)
            {
                return _caches.Count;
            }
        }
    }

    /// <summary>
    /// Pages parked in per-CPU caches (not counted in any zone's free pages). Exact on a quiescent
    /// machine; a racy snapshot while other threads allocate.
    /// </summary>
    public long CachedPages
    {
        get
        {
            ThrowIfShutDown();
            long pages = 0;
            lock (_cachesLock)
            {
                foreach (var cache in _caches)
                {
                    for (int z = 0; z < cache.ZoneCount; z++)
                    {
                        pages += Volatile.Read(ref cache.Lists(z).Count);
                    }
                }
            }

            return pages;
        }
    }

    /// <summary>
    /// Every registered cache's lists for <paramref name="zone"/>, in registration order: what
    /// /proc/zoneinfo's "pagesets" prints per CPU (a cache is a thread's, here). A racy snapshot
    /// while other threads allocate.
    /// </summary>
    internal List<(int Count, int High, int Batch)> PageSets(Zone zone)
    {
        ThrowIfShutDown();
        var sets = new List<(int Count, int High, int Batch)>();
        lock (_cachesLock)
        {
            foreach (var cache in _caches)
            {
                if (zone.Index < cache.ZoneCount)
                {
                    ref var lists = ref cache.Lists(zone.Index);
                    sets.Add((Volatile.Read(ref lists.Count), Volatile.Read(ref lists.High), Volatile.Read(ref lists.Batch)));
                }
            }
        }

        return sets;
    }

    /// <summary>
    /// This thread's lists for this machine, given what <see cref="t_pageset"/> held when the
    /// operation began. Allocation reads the thread static first thing, unconditionally: then the
    /// runtime's thread-local lookup there dominates the one of a free that follows it, and the
    /// JIT shares (or hoists) it when a caller inlines both.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ThreadPageCache.PageSet* CurrentPageSet(ThreadPageCache.PageSet* set) =>
        set is not null && set->AllocatorId == _id ? set : SwitchCache();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ThreadPageCache.PageSet* CurrentPageSet() => CurrentPageSet(t_pageset);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private ThreadPageCache.PageSet* SwitchCache()
    {
        if (_shutdown)
        {
            ThrowDisposed();
        }

        // Cleared first: the caches dropped below may hold the block it points into.
        t_pageset = null;
        t_token ??= new object();
        var mine = t_caches ??= [];
        mine.RemoveAll(c => c.Allocator._shutdown);
        foreach (var existing in mine)
        {
            if (existing.Allocator == this)
            {
                t_pageset = existing.Set;
                return existing.Set;
            }
        }

        var cache = new ThreadPageCache(this, _id, _zones, t_token);
        lock (_cachesLock)
        {
            // Checked under the lock shutdown sets the flag under: a cache added here is one its freeze will see.
            if (_shutdown)
            {
                ThrowDisposed();
            }

            cache.Set->HasClients = HasClientsFlag;
            _caches.Add(cache);
        }

        mine.Add(cache);
        t_pageset = cache.Set;
        return cache.Set;
    }

    /// <summary>
    /// rmqueue_pcplist(): pop from this thread's list of zone <paramref name="zoneIndex"/>. When the
    /// list is empty and <paramref name="refillFrom"/> is given, first refill a batch from the buddy
    /// lists (rmqueue_bulk); the allocation fast path passes none, since a refill needs the
    /// watermark check, and so takes no lock. Returns NoPfn when the cache is being drained or had
    /// nothing, and, when <paramref name="unlessClients"/>, also when the machine has clients to
    /// call; the caller then takes a slower path. Opens the window of <paramref name="set"/>
    /// (this thread's current set) and leaves it open: the caller closes it once it is done with
    /// the block's descriptor, so that shutdown cannot unmap it in between.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private uint RmqueuePcplist(ThreadPageCache.PageSet* set, int zoneIndex, int order, MigrateType type, Zone? refillFrom = null, AllocFlags alloc = 0, bool unlessClients = false)
    {
        Volatile.Write(ref set->InUse, 1);
        uint pfn = Page.NoPfn;
        long blocked = unlessClients ? Volatile.Read(ref set->FastPathBlocked) : Volatile.Read(ref set->DrainRequested);
        if (blocked == 0)
        {
            PerCpuPages* lists = ThreadPageCache.PageSet.Lists(set, zoneIndex);
            int list = PerCpuPages.ListIndex(order, type);
            pfn = *PerCpuPages.Head(lists, list);
            if (pfn == Page.NoPfn && refillFrom is not null)
            {
                pfn = RefillPcplist(refillFrom, ref *lists, list, order, type, alloc);
            }

            if (pfn != Page.NoPfn)
            {
                Pop(lists, list, pfn, order);
            }
        }

        return pfn;
    }

    /// <summary>
    /// Unlink the head block <paramref name="pfn"/> of a per-CPU list (caller owns the cache). Its
    /// stale link is overwritten when the block is prepared for its new owner.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Pop(PerCpuPages* lists, int list, uint pfn, int order)
    {
        Page* page = _vmemmap + pfn;
        *PerCpuPages.Head(lists, list) = page->Next;
        lists->Count -= 1 << order;
    }

    /// <summary>rmqueue_bulk(): move up to a batch of blocks from the buddy lists to a per-CPU list.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private uint RefillPcplist(Zone zone, ref PerCpuPages lists, int list, int order, MigrateType type, AllocFlags alloc)
    {
        int count = Math.Max(lists.Batch >> order, 1);
        uint head = Page.NoPfn;
        lock (zone.Lock)
        {
            for (int i = 0; i < count; i++)
            {
                uint pfn = RmqueueLocked(zone, order, type, alloc);
                if (pfn == Page.NoPfn)
                {
                    break;
                }

                Page* page = _vmemmap + pfn;
                page->Type = (byte)PageType.PerCpu;
                page->MigrateType = (byte)type;
                page->Private = (uint)order;
                page->Next = head;
                head = pfn;
                lists.Count += 1 << order;
            }
        }

        lists.Heads[list] = head;
        return head;
    }

    /// <summary>
    /// free_unref_page() from the slow path (caller is inside an operation): park a small block on
    /// this thread's list; isolated pageblocks and a drained cache bypass the lists.
    /// </summary>
    private void FreeUnrefPage(int zoneIndex, uint pfn, int order)
    {
        var blockType = BlockType(pfn);
        var set = CurrentPageSet();
        Volatile.Write(ref set->InUse, 1);
        if (blockType == MigrateType.Isolate || Volatile.Read(ref set->DrainRequested) != 0)
        {
            Volatile.Write(ref set->InUse, 0);
            ClearAllocationMarks(_vmemmap + pfn);
            FreeOnePageUnderLock(_zones[zoneIndex], pfn, order);
            return;
        }

        // CMA and high-atomic pages ride on the movable list; the batch return re-reads the block type.
        PushPcp(set, zoneIndex, pfn, order, blockType >= MigrateType.HighAtomic ? MigrateType.Movable : blockType);
    }

    /// <summary>
    /// The heart of free_unref_page(): park the block on this thread's list, inside the window the
    /// caller opened (and this closes); a full cache sends a batch back to the buddy lists. Clears
    /// the block's allocation marks itself, so that parking rewrites the descriptor in four stores
    /// rather than six. The caller has mapped the block's type to a per-CPU list's (never Isolate).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void PushPcp(ThreadPageCache.PageSet* set, int zoneIndex, uint pfn, int order, MigrateType blockType)
    {
        PerCpuPages* lists = ThreadPageCache.PageSet.Lists(set, zoneIndex);
        Page* page = _vmemmap + pfn;
        int list = PerCpuPages.ListIndex(order, blockType);
        page->Flags &= ~PageFlagsLayout.FlagsMask;
        *(ulong*)&page->RefCount = (ulong)(uint)order << 32;
        *(ulong*)&page->HeadPfnPlusOne = (ulong)Page.PackBookkeeping(PageType.PerCpu, order, (byte)blockType, PageState.EverAllocated) << 32;
        uint* head = PerCpuPages.Head(lists, list);
        page->Next = *head;
        *head = pfn;
        int count = lists->Count += 1 << order;
        if (count >= lists->High)
        {
            FreePcppagesBulk(_zones[zoneIndex], ref *lists, lists->Batch);
        }

        Volatile.Write(ref set->InUse, 0);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void FreeOnePageUnderLock(Zone zone, uint pfn, int order)
    {
        lock (zone.Lock)
        {
            FreeOnePageLocked(zone, pfn, order, _memory.PageblockType(pfn));
        }
    }

    /// <summary>
    /// free_pcppages_bulk(): return about <paramref name="pages"/> pages from a per-CPU cache to
    /// the buddy lists, taking from each list in turn. Caller owns the cache (its window or a drain).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void FreePcppagesBulk(Zone zone, ref PerCpuPages lists, int pages)
    {
        lock (zone.Lock)
        {
            int list = 0, emptyInARow = 0;
            while (pages > 0 && lists.Count > 0 && emptyInARow < PerCpuPages.Lists)
            {
                uint pfn = lists.Heads[list];
                if (pfn == Page.NoPfn)
                {
                    emptyInARow++;
                    list = (list + 1) % PerCpuPages.Lists;
                    continue;
                }

                emptyInARow = 0;
                Page* page = _vmemmap + pfn;
                int order = list / MigrateTypes.PcpTypes;
                lists.Heads[list] = page->Next;
                page->Next = Page.NoPfn;
                page->Type = (byte)PageType.None;
                page->Private = 0;
                lists.Count -= 1 << order;
                pages -= 1 << order;
                var type = _memory.PageblockType(pfn);
                FreeOnePageLocked(zone, pfn, order, type);
                if (AllocatorHookTable.Supported && _hooks is { PcpuDrain.Length: > 0 } hooks)
                {
                    PcpuDrainHookSlow(hooks, pfn, order, type);
                }

                list = (list + 1) % PerCpuPages.Lists;
            }
        }
    }

    /// <summary>
    /// drain_all_pages(): empty every thread's per-CPU lists (of every zone, or of one) back into
    /// the buddy lists, so free-page walks and offlining see the pages. Caches of exited threads
    /// are emptied and dropped. Costs a process-wide memory barrier: a slow-path operation.
    /// </summary>
    public void DrainAllPages(Zone? only = null)
    {
        using var operation = EnterOperation();
        lock (_drainLock)
        {
            var caches = FreezeCaches();
            try
            {
                foreach (var cache in caches)
                {
                    for (int z = 0; z < _zones.Length; z++)
                    {
                        if ((only is null || only.Index == z) && cache.Lists(z).Count > 0)
                        {
                            FreePcppagesBulk(_zones[z], ref cache.Lists(z), int.MaxValue);
                        }
                    }
                }
            }
            finally
            {
                ThawCaches(caches);
            }

            ReapDeadCaches();
        }
    }

    /// <summary>
    /// Take every registered cache away from its owner: request, barrier, wait for the owner to
    /// leave its window. Caller holds the drain lock and no zone lock.
    /// </summary>
    private ThreadPageCache[] FreezeCaches()
    {
        ThreadPageCache[] caches;
        lock (_cachesLock)
        {
            caches = [.. _caches];
        }

        foreach (var cache in caches)
        {
            Volatile.Write(ref cache.DrainRequested, 1);
        }

        Interlocked.MemoryBarrierProcessWide();
        foreach (var cache in caches)
        {
            var spin = default(SpinWait);
            while (Volatile.Read(ref cache.InUse) != 0)
            {
                spin.SpinOnce();
            }
        }

        return caches;
    }

    private static void ThawCaches(ThreadPageCache[] caches)
    {
        foreach (var cache in caches)
        {
            Volatile.Write(ref cache.DrainRequested, 0);
        }
    }

    /// <summary>Drop the caches of threads that have exited; the drain just emptied them.</summary>
    private void ReapDeadCaches()
    {
        lock (_cachesLock)
        {
            _caches.RemoveAll(c => !c.Owner.IsAlive && AllEmpty(c) && FoldVmEvents(c));
        }
    }

    private static bool AllEmpty(ThreadPageCache cache)
    {
        for (int z = 0; z < cache.ZoneCount; z++)
        {
            if (cache.Lists(z).Count != 0)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Copy the zones' pcp high and batch (just recomputed by the zone tuning) into every cache,
    /// as zone_pcp_update() does for every CPU.
    /// </summary>
    private void RefreshPcpLimits()
    {
        lock (_cachesLock)
        {
            foreach (var cache in _caches)
            {
                for (int z = 0; z < _zones.Length; z++)
                {
                    cache.Lists(z).SetLimits(_zones[z].PcpHigh, _zones[z].PcpBatch);
                }
            }
        }
    }
}
