using PageExt.Physical;

namespace PageExt.Buddy;

/// <summary>
/// A debugging client's entry points into the allocator (post_alloc_hook, free_pages_prepare,
/// split_page). The allocator reaches clients only through this, and only behind a single
/// per-machine gate that is false when no client is enabled, so a boot without debugging pays
/// one predictable branch per operation and the process-wide switch removes even that.
/// <para>
/// Context for every method: called on the allocating or freeing thread with no allocator lock
/// held; the pages are exclusively the caller's; may allocate managed memory only on slow paths
/// (a stack depot miss), never take the zone lock, and must not allocate pages.
/// </para>
/// </summary>
internal interface IPageAllocatorHook
{
    /// <summary>Before the pages are zeroed (debug_pagealloc_map_pages, kernel_unpoison_pages).</summary>
    void PostAllocBeforeZero(Pfn pfn, int order, GfpFlags gfp);

    /// <summary>After zeroing, last (set_page_owner).</summary>
    void PostAllocAfterZero(Pfn pfn, int order, GfpFlags gfp);

    /// <summary>Free side, called in reverse registration order (reset_page_owner, poison, unmap).</summary>
    void FreePrepare(Pfn pfn, int order);

    /// <summary>split_page(): a non-compound block became 2^(oldOrder-newOrder) independent blocks.</summary>
    void Split(Pfn pfn, int oldOrder, int newOrder);
}
