namespace PageExt.Analysis.Trace;

/// <summary>
/// The kmem page events (include/trace/events/kmem.h), by what they mean to page ownership. Each
/// value stands for every name the event has had; <see cref="KmemEventLayout"/> maps the names.
/// </summary>
internal enum KmemEventKind : byte
{
    /// <summary>Not a kmem page event (sched_switch, a trace_marker line, ...): read and passed over.</summary>
    Other,

    /// <summary>mm_page_alloc: a block of 2^order pages now belongs to the caller (post_alloc_hook's moment).</summary>
    Alloc,

    /// <summary>mm_page_free (mm_page_free_direct before v3.3): the block is given back.</summary>
    Free,

    /// <summary>mm_page_free_batched (mm_pagevec_free before v3.3): one order-0 page freed from a list.</summary>
    FreeBatched,

    /// <summary>mm_page_alloc_zone_locked: taken off the buddy lists under the zone lock; no owner yet.</summary>
    AllocZoneLocked,

    /// <summary>mm_page_pcpu_drain: a free page moved from a per-CPU list back to the buddy lists.</summary>
    PcpuDrain,

    /// <summary>mm_page_pcpu_refill (mm tree, 2026): a free page moved onto a per-CPU list.</summary>
    PcpuRefill,

    /// <summary>mm_page_alloc_extfrag: __rmqueue_fallback took a page from another migrate type's list.</summary>
    Extfrag,
}
