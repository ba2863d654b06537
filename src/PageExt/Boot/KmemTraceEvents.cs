namespace PageExt.Boot;

/// <summary>
/// The kmem page events of include/trace/events/kmem.h, as a set: what <c>trace_event=</c> asks for.
/// PageExt's allocator emits <see cref="Emitted"/>; the others are kernel events it knows by name
/// but has no hook point for.
/// </summary>
[Flags]
public enum KmemTraceEvents : ulong
{
    None = 0,

    /// <summary>mm_page_alloc: the end of __alloc_pages(), one per successful allocation.</summary>
    PageAlloc = 1 << 0,

    /// <summary>mm_page_free: free_pages_prepare(), one per freed block.</summary>
    PageFree = 1 << 1,

    /// <summary>mm_page_free_batched: free_unref_folios().</summary>
    PageFreeBatched = 1 << 2,

    /// <summary>mm_page_alloc_zone_locked: a block taken from the buddy lists under the zone lock.</summary>
    PageAllocZoneLocked = 1 << 3,

    /// <summary>mm_page_pcpu_drain: a page moved from a per-CPU list back to the buddy lists.</summary>
    PagePcpuDrain = 1 << 4,

    /// <summary>mm_page_alloc_extfrag: a fallback to another migrate type's free lists.</summary>
    PageAllocExtfrag = 1 << 5,

    /// <summary>The events PageExt's allocator writes: those its hook table has points for.</summary>
    Emitted = PageAlloc | PageFree | PageAllocZoneLocked | PagePcpuDrain | PageAllocExtfrag,

    /// <summary>Every kmem page event the kernel has.</summary>
    All = PageAlloc | PageFree | PageFreeBatched | PageAllocZoneLocked | PagePcpuDrain | PageAllocExtfrag,
}
