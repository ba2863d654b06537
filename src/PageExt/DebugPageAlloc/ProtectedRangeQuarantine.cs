using PageExt.Buddy;
using PageExt.Log;
using PageExt.Pages;
using PageExt.Physical;
using PageExt.Platform;

namespace PageExt.DebugPageAlloc;

/// <summary>
/// debug_pagealloc's unmapping under a budget: the freed blocks that are protected now (PROT_NONE /
/// PAGE_NOACCESS), oldest first, at most <see cref="Max"/> of them.
/// <para>
/// Why a budget: the kernel clears "present" in the direct map for every free page. A process
/// cannot: each protected run splits its mapping and costs up to two VMAs, and at vm.max_map_count
/// the runtime itself aborts (dotnet-notes §4). So a range here is a whole buddy block as it was
/// freed (2^order contiguous pages, one mprotect, one run), and when more than <see cref="Max"/>
/// ranges would be protected the oldest is made accessible again and handed to the fallback
/// (poisoning), in the spirit of KFENCE's bounded quarantine.
/// </para>
/// <para>
/// Invariants (checked by <see cref="Check"/>): ranges are aligned buddy blocks, disjoint, protected,
/// and lie in memory that is not allocated (buddy lists, per-CPU lists or guard blocks); the
/// allocation path removes a block from every range before the block reaches its owner. Freeing an
/// allocated block never meets a range, because ranges hold only free memory. Allocating a block
/// inside a range makes only that block accessible: the range is replaced by the buddies that
/// remain (still protected, same age), so a split of an order-3 range for an order-0 request keeps
/// seven pages protected as three ranges.
/// </para>
/// <para>
/// Concurrency model: one lock for everything, held across the mprotect calls so that a range's
/// bookkeeping and its protection change together. Callers: the free path and the allocation path
/// with no allocator lock held, and the guard-page notification with a zone lock held; the
/// quarantine never calls the allocator, so the lock order is zone lock, then quarantine lock.
/// Only a machine booted with debug_pagealloc=on has one.
/// </para>
/// </summary>
internal sealed class ProtectedRangeQuarantine
{
    private const int None = -1;

    /// <summary>Insertion position: after the newest range.</summary>
    private const int AsNewest = -2;

    private readonly PhysicalMemory _memory;
    private readonly KernelLog _log;
    private readonly Action<uint, int> _fallback;
    private readonly Lock _lock = new();

    /// <summary>Pool of ranges: capacity Max + MAX_PAGE_ORDER + 1, room for one split before eviction.</summary>
    private readonly Range[] _ranges;

    /// <summary>First PFN of a range -> its index in <see cref="_ranges"/>. Pre-sized: never grows.</summary>
    private readonly Dictionary<uint, int> _byHead;

    /// <summary>Ranges per MAX_PAGE_ORDER block, so an allocation with none nearby skips the scan for ranges inside it.</summary>
    private readonly int[] _perMaxBlock;
    private int _freeSlot;
    private int _oldest = None;
    private int _newest = None;
    private int _count;
    private long _protectedPages;
    private long _totalProtected;
    private long _fellBack;
    private long _protectFailures;
    private bool _fullLogged;
    private bool _failureLogged;

    /// <param name="fallback">Called, under the lock, for a range that stops being protected while still free.</param>
    public ProtectedRangeQuarantine(PhysicalMemory memory, KernelLog log, int max, Action<uint, int> fallback)
    {
        _memory = memory;
        _log = log;
        Max = max;
        _fallback = fallback;
        _ranges = new Range[max + PageOrder.Max + 1];
        for (int i = 0; i < _ranges.Length; i++)
        {
            _ranges[i].Newer = i + 1 < _ranges.Length ? i + 1 : None;
        }

        _freeSlot = 0;
        _byHead = new Dictionary<uint, int>(_ranges.Length);
        _perMaxBlock = new int[(memory.MaxPfn >> PageOrder.Max) + 1];
    }

    /// <summary>The most ranges protected at once.</summary>
    public int Max { get; }

    public QuarantineStatistics Statistics
    {
        get
        {
            lock (_lock)
            {
                return new QuarantineStatistics(_count, _protectedPages, _totalProtected, _fellBack, _protectFailures, Max);
            }
        }
    }

    /// <summary>
    /// debug_pagealloc_unmap_pages() for a block being freed. False when the block could not be
    /// protected (no budget, or the OS refused): the caller poisons it instead.
    /// </summary>
    public bool TryProtectFreed(uint pfn, int order)
    {
        if (Max == 0)
        {
            return false;
        }

        lock (_lock)
        {
            return TryProtectLocked(pfn, order);
        }
    }

    /// <summary>
    /// A guard block was split off a free block: guard pages are free memory, unmapped in the
    /// kernel because the block they came from was. Protect it unless a range covers it already;
    /// ranges inside it (blocks freed separately and merged since) become one range.
    /// </summary>
    public void ProtectGuard(uint pfn, int order)
    {
        if (Max == 0)
        {
            return;
        }

        lock (_lock)
        {
            if (FindCoveringLocked(pfn, order) != None)
            {
                return;
            }

            if (_perMaxBlock[pfn >> PageOrder.Max] != 0)
            {
                uint end = pfn + (1u << order);
                for (uint p = pfn; p < end;)
                {
                    if (_byHead.TryGetValue(p, out int inside))
                    {
                        p += 1u << _ranges[inside].Order;
                        RemoveLocked(inside);
                        continue;
                    }

                    p++;
                }
            }

            if (!TryProtectLocked(pfn, order))
            {
                _fallback(pfn, order);
            }
        }
    }

    /// <summary>
    /// debug_pagealloc_map_pages() for a block being allocated: make every protected page of it
    /// accessible and drop it from the ranges. Returns whether anything was protected.
    /// </summary>
    public bool Unprotect(uint pfn, int order)
    {
        lock (_lock)
        {
            int covering = FindCoveringLocked(pfn, order);
            if (covering != None)
            {
                MakeAccessible(pfn, order);
                SplitAroundLocked(covering, pfn, order);
                return true;
            }

            if (_perMaxBlock[pfn >> PageOrder.Max] == 0)
            {
                return false;
            }

            bool any = false;
            uint end = pfn + (1u << order);
            for (uint p = pfn; p < end;)
            {
                if (_byHead.TryGetValue(p, out int inside))
                {
                    if (!any)
                    {
                        MakeAccessible(pfn, order);
                        any = true;
                    }

                    p += 1u << _ranges[inside].Order;
                    RemoveLocked(inside);
                    continue;
                }

                p++;
            }

            return any;
        }
    }

    /// <summary>The range that holds <paramref name="pfn"/>, if the page is protected now.</summary>
    public bool TryFind(uint pfn, out uint head, out int order)
    {
        lock (_lock)
        {
            int index = FindCoveringLocked(pfn, 0);
            head = index == None ? 0 : _ranges[index].Pfn;
            order = index == None ? 0 : _ranges[index].Order;
            return index != None;
        }
    }

    /// <summary>Every range, oldest first (for tests and the invariant check).</summary>
    public List<(uint Pfn, int Order)> Snapshot()
    {
        lock (_lock)
        {
            var list = new List<(uint, int)>(_count);
            for (int i = _oldest; i != None; i = _ranges[i].Newer)
            {
                list.Add((_ranges[i].Pfn, _ranges[i].Order));
            }

            return list;
        }
    }

    /// <summary>The invariant walker: bookkeeping agrees with itself and every range is free memory.</summary>
    public unsafe void Check(PageAllocator allocator, List<string> problems)
    {
        lock (_lock)
        {
            int count = 0;
            long pages = 0;
            var perBlock = new int[_perMaxBlock.Length];
            var intervals = new List<(uint Start, uint End)>();
            for (int i = _oldest, previous = None; i != None; previous = i, i = _ranges[i].Newer)
            {
                ref Range range = ref _ranges[i];
                count++;
                pages += 1L << range.Order;
                perBlock[range.Pfn >> PageOrder.Max]++;
                intervals.Add((range.Pfn, range.Pfn + (1u << range.Order)));
                if (range.Older != previous)
                {
                    problems.Add($"debug_pagealloc: range list broken at pfn 0x{range.Pfn:x}");
                }

                if ((range.Pfn & ((1u << range.Order) - 1)) != 0)
                {
                    problems.Add($"debug_pagealloc: range at pfn 0x{range.Pfn:x} is not aligned to its order {range.Order}");
                }

                if (!_byHead.TryGetValue(range.Pfn, out int indexed) || indexed != i)
                {
                    problems.Add($"debug_pagealloc: range at pfn 0x{range.Pfn:x} is missing from the index");
                }

                for (uint p = range.Pfn; p < range.Pfn + (1u << range.Order); p++)
                {
                    if (_memory.IsOnline(p) && (allocator.PageAt(p)->State & (byte)PageState.InUse) != 0)
                    {
                        problems.Add($"debug_pagealloc: pfn 0x{p:x} is allocated but still protected (range 0x{range.Pfn:x} order {range.Order})");
                        break;
                    }
                }
            }

            intervals.Sort();
            for (int i = 1; i < intervals.Count; i++)
            {
                if (intervals[i].Start < intervals[i - 1].End)
                {
                    problems.Add($"debug_pagealloc: protected ranges at pfn 0x{intervals[i - 1].Start:x} and 0x{intervals[i].Start:x} overlap");
                }
            }

            if (count != _count || count != _byHead.Count || pages != _protectedPages)
            {
                problems.Add($"debug_pagealloc: {_count} ranges / {_protectedPages} pages counted, the list holds {count} / {pages}, the index {_byHead.Count}");
            }

            if (count > Max)
            {
                problems.Add($"debug_pagealloc: {count} ranges protected, the bound is {Max}");
            }

            if (!perBlock.AsSpan().SequenceEqual(_perMaxBlock))
            {
                problems.Add("debug_pagealloc: per-block range counts disagree with the ranges");
            }
        }
    }

    private bool TryProtectLocked(uint pfn, int order)
    {
        if (!VirtualMemory.Protect(_memory.PageAddress(pfn), (nuint)(PageSize.Bytes << order), MemoryAccess.None, out int error))
        {
            _protectFailures++;
            if (!_failureLogged)
            {
                _failureLogged = true;
                _log.Print($"debug_pagealloc: cannot protect pfn 0x{pfn:x} order {order} (errno {error}); such blocks are poisoned instead");
            }

            return false;
        }

        InsertLocked(pfn, order, AsNewest);
        _totalProtected++;
        while (_count > Max)
        {
            EvictOldestLocked();
        }

        return true;
    }

    /// <summary>The quarantine is full: the oldest range becomes accessible and goes to the fallback.</summary>
    private void EvictOldestLocked()
    {
        int oldest = _oldest;
        uint pfn = _ranges[oldest].Pfn;
        int order = _ranges[oldest].Order;
        RemoveLocked(oldest);
        MakeAccessible(pfn, order);
        _fellBack++;
        if (!_fullLogged)
        {
            _fullLogged = true;
            _log.Print($"debug_pagealloc: {Max} ranges protected, the most allowed; the oldest are made accessible again and poisoned instead");
        }

        _fallback(pfn, order);
    }

    /// <summary>Replace the covering range by the buddies of the allocated block's ancestors, at the same age.</summary>
    private void SplitAroundLocked(int covering, uint pfn, int order)
    {
        int rangeOrder = _ranges[covering].Order;
        int older = _ranges[covering].Older;
        RemoveLocked(covering);
        for (int o = rangeOrder - 1; o >= order; o--)
        {
            uint buddy = (pfn & ~((1u << o) - 1)) ^ (1u << o);
            older = InsertLocked(buddy, o, older);
        }

        while (_count > Max)
        {
            EvictOldestLocked();
        }
    }

    /// <summary>The range containing the aligned block (pfn, order), walking up its ancestors: at most MAX_PAGE_ORDER + 1 probes.</summary>
    private int FindCoveringLocked(uint pfn, int order)
    {
        if (_count == 0)
        {
            return None;
        }

        for (int o = order; o <= PageOrder.Max; o++)
        {
            uint head = pfn & ~((1u << o) - 1);
            if (_byHead.TryGetValue(head, out int index) && _ranges[index].Order >= o)
            {
                return index;
            }
        }

        return None;
    }

    /// <summary>
    /// Link a new range right after <paramref name="older"/>: <see cref="AsNewest"/> appends it,
    /// <see cref="None"/> makes it the oldest (a split of the oldest range keeps its place).
    /// </summary>
    private int InsertLocked(uint pfn, int order, int older)
    {
        int index = _freeSlot;
        _freeSlot = _ranges[index].Newer;
        ref Range range = ref _ranges[index];
        range.Pfn = pfn;
        range.Order = order;
        if (older == AsNewest)
        {
            older = _newest;
        }

        range.Older = older;
        range.Newer = older == None ? _oldest : _ranges[older].Newer;
        if (older == None)
        {
            _oldest = index;
        }
        else
        {
            _ranges[older].Newer = index;
        }

        if (range.Newer == None)
        {
            _newest = index;
        }
        else
        {
            _ranges[range.Newer].Older = index;
        }

        _byHead.Add(pfn, index);
        _perMaxBlock[pfn >> PageOrder.Max]++;
        _count++;
        _protectedPages += 1L << order;
        return index;
    }

    private void RemoveLocked(int index)
    {
        ref Range range = ref _ranges[index];
        if (range.Older != None)
        {
            _ranges[range.Older].Newer = range.Newer;
        }
        else
        {
            _oldest = range.Newer;
        }

        if (range.Newer != None)
        {
            _ranges[range.Newer].Older = range.Older;
        }
        else
        {
            _newest = range.Older;
        }

        _byHead.Remove(range.Pfn);
        _perMaxBlock[range.Pfn >> PageOrder.Max]--;
        _count--;
        _protectedPages -= 1L << range.Order;
        range.Newer = _freeSlot;
        _freeSlot = index;
    }

    /// <summary>
    /// Restore access. Cannot fail on memory this machine reserved, except on Windows for a section
    /// that was removed (decommitted) since, where there is nothing left to access anyway.
    /// </summary>
    private void MakeAccessible(uint pfn, int order) =>
        VirtualMemory.Protect(_memory.PageAddress(pfn), (nuint)(PageSize.Bytes << order), MemoryAccess.ReadWrite, out _);

    /// <summary>One protected block; <see cref="Older"/>/<see cref="Newer"/> link the FIFO (and the free slots through Newer).</summary>
    private struct Range
    {
        public uint Pfn;
        public int Order;
        public int Older;
        public int Newer;
    }
}
