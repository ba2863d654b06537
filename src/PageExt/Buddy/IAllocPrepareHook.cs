namespace PageExt.Buddy;

/// <summary>
/// The first part of post_alloc_hook(), before the block is zeroed for __GFP_ZERO: make the block
/// usable again (debug_pagealloc_map_pages) and check what was left in it (kernel_unpoison_pages).
/// Clients run in registration order.
/// </summary>
internal interface IAllocPrepareHook : IAllocatorClient
{
    void PrepareAlloc(Physical.Pfn pfn, int order, GfpFlags gfp);
}
