using PageExt.Pages;
using PageExt.Physical;
using PageExt.Zones;

namespace PageExt.Buddy;

/// <summary>
/// The one walk over a PFN range that every reader of the memory map uses (read_page_owner(),
/// pagetypeinfo_showmixedcount_print(), init_early_allocated_pages(), test_pages_isolated(),
/// debug_pagealloc's invariants): online PFNs in order, optionally only one zone's, with each free
/// block (on a buddy free list, on a per-CPU list, or set aside as a guard block) visited once, at
/// its head, and stepped over by its order, as the kernel skips PageBuddy() blocks by
/// buddy_order_unsafe(). Sections that are not online are stepped over whole.
/// <para>
/// Use: <c>for (var walk = allocator.WalkPfns(start, end); walk.MoveNext();)</c>, then read
/// <see cref="Pfn"/>, <see cref="FreeOrder"/> and the page's <see cref="Flags"/>,
/// <see cref="Type"/> and <see cref="IsInUse"/>; <see cref="ResumeAt"/> moves the walk on further
/// (past an allocation, or past a pageblock already decided). Readers above the allocator see
/// these values, never the descriptor itself.
/// </para>
/// <para>
/// Concurrency: takes no lock. A caller that needs a stable picture holds the zone lock; one that
/// only reads (dumps) may see a block half-way through an allocation, as the kernel's walks do: the
/// page's fields are read live, when asked for. The
/// step past a free block is decided when it is visited, so a caller may take the block off its
/// list before moving on.
/// </para>
/// </summary>
internal unsafe ref struct PfnWalker
{
    private readonly PhysicalMemory _memory;
    private readonly Page* _vmemmap;
    private readonly ulong _end;
    private readonly int _zoneIndex;
    private ulong _next;
    private Page* _page;

    internal PfnWalker(PhysicalMemory memory, ulong start, ulong end, int zoneIndex)
    {
        _memory = memory;
        _vmemmap = memory.Vmemmap;
        _end = Math.Min(end, memory.MaxPfn);
        _zoneIndex = zoneIndex;
        _next = start;
        Pfn = start;
        FreeOrder = -1;
    }

    /// <summary>The PFN visited.</summary>
    public ulong Pfn { get; private set; }

    /// <summary>The page's flags word (PG_ bits, node and zone), read when <see cref="Pfn"/> was visited.</summary>
    public readonly ulong Flags => _page->Flags;

    /// <summary>The page's type: a free block's head (buddy, per-CPU, guard) or none.</summary>
    public readonly PageType Type => (PageType)_page->Type;

    /// <summary>The page is allocated (a block's head or, for compound blocks, one of its tails).</summary>
    public readonly bool IsInUse => (_page->State & (byte)PageState.InUse) != 0;

    /// <summary>PG_reserved: never given to the allocator.</summary>
    public readonly bool IsReserved => (_page->Flags & (ulong)PageFlags.Reserved) != 0;

    /// <summary>The order of the free block this PFN heads (buddy, per-CPU or guard), or -1 when it heads none.</summary>
    public int FreeOrder { get; private set; }

    /// <summary>True when <see cref="Pfn"/> heads a free block; the walk steps over the whole block next.</summary>
    public readonly bool IsFree => FreeOrder >= 0;

    /// <summary>Visit the next PFN; false at the end of the range.</summary>
    public bool MoveNext()
    {
        ulong pfn = _next;
        while (pfn < _end)
        {
            if (!_memory.IsOnline(pfn))
            {
                pfn = (pfn | (MemorySection.Pages - 1)) + 1;
                continue;
            }

            if (_zoneIndex >= 0 && _memory.PageblockZone(pfn) != _zoneIndex)
            {
                pfn = (pfn | (Pageblock.Pages - 1)) + 1;
                continue;
            }

            Page* page = _vmemmap + pfn;
            int order = FreeBlockOrder(page);
            Pfn = pfn;
            _page = page;
            FreeOrder = order;
            _next = pfn + (order >= 0 ? 1UL << order : 1);
            return true;
        }

        _next = _end;
        return false;
    }

    /// <summary>Go on at <paramref name="pfn"/> instead of the next PFN.</summary>
    public void ResumeAt(ulong pfn) => _next = pfn;

    /// <summary>The order of a free block's head; -1 for anything else, or an order out of range (a page changing under a lockless reader).</summary>
    private static int FreeBlockOrder(Page* page)
    {
        if (page->Type is not ((byte)PageType.Buddy or (byte)PageType.PerCpu or (byte)PageType.Guard))
        {
            return -1;
        }

        uint order = page->Private;
        return order <= PageOrder.Max ? (int)order : -1;
    }
}
