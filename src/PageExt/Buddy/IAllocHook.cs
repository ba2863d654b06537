namespace PageExt.Buddy;

/// <summary>
/// The end of an allocation, after zeroing: where post_alloc_hook() calls set_page_owner() and
/// __alloc_pages() fires the kmem:mm_page_alloc trace event. Clients run in registration order.
/// </summary>
internal interface IAllocHook : IAllocatorClient
{
    void OnAlloc(Physical.Pfn pfn, int order, GfpFlags gfp);
}
