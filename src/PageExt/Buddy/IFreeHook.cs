namespace PageExt.Buddy;

/// <summary>
/// free_pages_prepare(), before the block's allocation marks are cleared: where the kernel fires
/// kmem:mm_page_free, resets page_owner, poisons and unmaps. Clients run in reverse registration
/// order, so that what allocation set up first is undone last.
/// </summary>
internal interface IFreeHook : IAllocatorClient
{
    void OnFree(Physical.Pfn pfn, int order);
}
