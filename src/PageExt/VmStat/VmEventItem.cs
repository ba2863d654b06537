namespace PageExt.VmStat;

/// <summary>
/// The allocator events PageExt counts (include/linux/vm_event_item.h, the part a buddy allocator
/// without reclaim has). The first five are the kernel's, in pages as it counts them: pgalloc_* by
/// the zone the block came from, pgfree for every block given back. The two after them are
/// PageExt's: calls rather than pages, the "allocations per second" a .NET caller thinks in.
/// </summary>
internal enum VmEventItem
{
    /// <summary>pgalloc_dma; pgalloc_&lt;zone&gt; is this item plus the zone's type (enum zone_type order).</summary>
    PgAllocDma,
    PgAllocDma32,
    PgAllocNormal,
    PgAllocMovable,

    /// <summary>pgfree: pages given back by callers.</summary>
    PgFree,

    /// <summary>Successful allocation calls, whatever their order.</summary>
    AllocCalls,

    /// <summary>Free calls that gave a block back (bad frees are reported, not counted).</summary>
    FreeCalls,
}
