using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace PageExt.Analysis.Trace;

/// <summary>
/// The buddy blocks held at this point of a trace, keyed by head pfn, with the buddy allocator's
/// rule that blocks are naturally aligned, so two either nest or are apart. An allocation or free
/// of [pfn, pfn + 2^order) meets a held block at the same head, a larger one containing it, or
/// smaller ones inside it.
/// </summary>
/// <remarks>
/// Finding the containing and contained blocks would cost a lookup per order present. A small
/// per-region census (how many held blocks of each order touch each 2^<see cref="RegionShift"/>
/// pages) answers "is there any" first, from a table that stays in cache, so the common case (an
/// allocation where nothing is held, a free of exactly the block allocated) costs one lookup in the
/// large table. Memory: one entry per held block plus one per region that holds any.
/// </remarks>
internal sealed class HeldBlocks
{
    /// <summary>2^10 pages: every block up to order 10 (x86-64's MAX_PAGE_ORDER) lies in one region.</summary>
    public const int RegionShift = 10;

    private readonly Dictionary<ulong, TracedOwner> _blocks = [];
    private readonly Dictionary<ulong, Census> _regions = [];

    /// <summary>Held blocks of orders above <see cref="RegionShift"/>, which span regions (rare: gigantic pages).</summary>
    private long _huge;

    public IReadOnlyDictionary<ulong, TracedOwner> Blocks => _blocks;

    /// <summary>Blocks split to order-0 pages because part of them was freed or allocated over.</summary>
    public long Splits { get; private set; }

    /// <summary>The owner held at exactly <paramref name="pfn"/>, or a null ref.</summary>
    public ref TracedOwner Find(ulong pfn) => ref CollectionsMarshal.GetValueRefOrNullRef(_blocks, pfn);

    /// <summary>Holds [pfn, pfn + 2^order) for <paramref name="owner"/>; true when it covered held pages, which are dropped.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool Add(ulong pfn, in TracedOwner owner)
    {
        int order = owner.Order;
        bool overlapped = RemoveOthers(pfn, order);
        ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(_blocks, pfn, out bool exists);
        var old = slot;
        slot = owner;
        Count(pfn, order, +1);
        if (exists)
        {
            Count(pfn, old.Order, -1);
            if (old.Order > order)
            {
                SplitAround(pfn, old, pfn, order);
            }

            return true;
        }

        return overlapped;
    }

    /// <summary>Drops every held page of [pfn, pfn + 2^order), splitting a block that is only partly freed; true when any was held.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool Remove(ulong pfn, int order)
    {
        if (_blocks.Remove(pfn, out var exact))
        {
            Count(pfn, exact.Order, -1);
            if (exact.Order > order)
            {
                SplitAround(pfn, exact, pfn, order);
            }
            else if (exact.Order < order)
            {
                RemoveOthers(pfn, order);
            }

            return true;
        }

        return RemoveOthers(pfn, order);
    }

    /// <summary>Drops the held blocks that overlap the range but do not start at <paramref name="pfn"/> itself.</summary>
    private bool RemoveOthers(ulong pfn, int order)
    {
        if (order > RegionShift || _huge > 0)
        {
            return RemoveOthersSlow(pfn, order);
        }

        ref var found = ref CollectionsMarshal.GetValueRefOrNullRef(_regions, pfn >> RegionShift);
        if (Unsafe.IsNullRef(ref found))
        {
            return false;
        }

        // A copy: removing blocks below updates the census table, which would move a reference.
        var census = found;
        for (int j = order + 1; j <= RegionShift; j++)
        {
            if (census.PerOrder[j] > 0 && TryRemoveContaining(pfn, order, j))
            {
                return true;
            }
        }

        bool any = false;
        for (int j = 0; j < order; j++)
        {
            if (census.PerOrder[j] > 0)
            {
                any |= RemoveInside(pfn, order, j);
            }
        }

        return any;
    }

    /// <summary>The same without the census, for ranges or blocks beyond one region.</summary>
    private bool RemoveOthersSlow(ulong pfn, int order)
    {
        for (int j = order + 1; j <= TraceReplay.MaxOrder; j++)
        {
            if (TryRemoveContaining(pfn, order, j))
            {
                return true;
            }
        }

        bool any = false;
        for (int j = 0; j < order; j++)
        {
            any |= RemoveInside(pfn, order, j);
        }

        return any;
    }

    private bool TryRemoveContaining(ulong pfn, int order, int j)
    {
        ulong head = pfn & ~((1UL << j) - 1);
        if (head == pfn || !_blocks.TryGetValue(head, out var outer) || outer.Order != j)
        {
            return false;
        }

        _blocks.Remove(head);
        Count(head, j, -1);
        SplitAround(head, outer, pfn, order);
        return true;
    }

    /// <summary>Drops the held blocks of order <paramref name="j"/> inside the range, its head excepted.</summary>
    private bool RemoveInside(ulong pfn, int order, int j)
    {
        bool any = false;
        ulong end = pfn + (1UL << order);
        for (ulong head = pfn + (1UL << j); head < end; head += 1UL << j)
        {
            if (_blocks.TryGetValue(head, out var inner) && inner.Order == j)
            {
                _blocks.Remove(head);
                Count(head, j, -1);
                any = true;
            }
        }

        return any;
    }

    /// <summary>Re-adds the pages of <paramref name="owner"/>'s block outside [pfn, pfn + 2^order) as order-0 blocks (split_page_owner).</summary>
    private void SplitAround(ulong head, TracedOwner owner, ulong pfn, int order)
    {
        Splits++;
        ulong end = head + (1UL << owner.Order);
        ulong inner = pfn + (1UL << order);
        owner.Order = 0;
        for (ulong page = head; page < end; page++)
        {
            if (page < pfn || page >= inner)
            {
                _blocks[page] = owner;
                Count(page, 0, +1);
            }
        }
    }

    private void Count(ulong pfn, int order, int delta)
    {
        if (order > RegionShift)
        {
            _huge += delta;
            return;
        }

        ulong region = pfn >> RegionShift;
        ref var census = ref CollectionsMarshal.GetValueRefOrAddDefault(_regions, region, out _);
        census.PerOrder[order] += delta;
        census.Total += delta;
        if (census.Total == 0)
        {
            _regions.Remove(region);
        }
    }

    /// <summary>Held blocks of each order (0 to <see cref="RegionShift"/>) in one region.</summary>
    private struct Census
    {
        public OrderCounts PerOrder;
        public int Total;
    }

    [InlineArray(RegionShift + 1)]
    private struct OrderCounts
    {
        private int _count;
    }
}
