namespace PageExt.Boot;

/// <summary>
/// The kmem page events of include/trace/events/kmem.h, as a set: what <c>trace_event=</c> asks for.
/// PageExt's allocator emits every one of them, each where mm/page_alloc.c fires it.
/// </summary>
[Flags]
public enum KmemTraceEvents : ulong
{
    None = 0,

    /// <summary>mm_page_alloc: the end of __alloc_pages(), one per successful allocation.</summary>
    PageAlloc = 1 << 0,

    /// <summary>mm_page_free: free_pages_prepare(), one per freed block.</summary>
    PageFree = 1 << 1,

    /// <summary>mm_page_free_batched: free_unref_folios(), one per block of a batch free parked on a per-CPU list.</summary>
    PageFreeBatched = 1 << 2,

    /// <summary>mm_page_alloc_zone_locked: a block taken from the buddy lists under the zone lock.</summary>
    PageAllocZoneLocked = 1 << 3,

    /// <summary>mm_page_pcpu_drain: a page moved from a per-CPU list back to the buddy lists.</summary>
    PagePcpuDrain = 1 << 4,

    /// <summary>mm_page_alloc_extfrag: a fallback to another migrate type's free lists.</summary>
    PageAllocExtfrag = 1 << 5,

    /// <summary>Every kmem page event the kernel has.</summary>
    All = PageAlloc | PageFree | PageFreeBatched | PageAllocZoneLocked | PagePcpuDrain | PageAllocExtfrag,
}
