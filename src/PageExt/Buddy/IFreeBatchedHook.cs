namespace PageExt.Buddy;

/// <summary>
/// free_unref_folios(): a block of a batch free, already through free_pages_prepare(), is about to
/// be parked on this thread's per-CPU list; where the kernel fires kmem:mm_page_free_batched. Blocks
/// that bypass the per-CPU lists (above their orders, or in an isolated pageblock) do not come here,
/// as they do not reach the tracepoint in the kernel.
/// <para>Context: as <see cref="IFreeHook"/>: the freeing thread, no allocator lock held.</para>
/// </summary>
internal interface IFreeBatchedHook : IAllocatorClient
{
    void OnFreeBatched(Physical.Pfn pfn);
}
