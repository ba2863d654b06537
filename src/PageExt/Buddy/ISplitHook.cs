namespace PageExt.Buddy;

/// <summary>split_page(): a non-compound block became 2^(oldOrder-newOrder) independent blocks (split_page_owner).</summary>
internal interface ISplitHook : IAllocatorClient
{
    void OnSplit(Physical.Pfn pfn, int oldOrder, int newOrder);
}
