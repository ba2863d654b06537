namespace PageExt.Buddy;

/// <summary>
/// Guard pages (debug_guardpage_minorder): expand() sets split-off buddies below
/// <see cref="GuardMinOrder"/> aside as guard blocks, and whoever takes a guard block away again
/// (__free_one_page() merging it into its freed buddy, memory offline removing it) clears it
/// through the allocator, which tells the client. The seed's set_page_guard()/clear_page_guard()
/// also flipped PAGE_EXT_DEBUG_GUARD: that is the client's concern, so the buddy only reports.
/// At most one client owns guard pages.
/// <para>
/// Context: called with the zone lock held, only when guard pages are on. The block is exclusively
/// the allocator's. Must not allocate pages, take a zone lock or call back into the allocator; it
/// may take its own locks.
/// </para>
/// </summary>
internal interface IGuardPageHook : IAllocatorClient
{
    /// <summary>Split-off buddies below this order become guard blocks; 0 leaves guard pages off.</summary>
    int GuardMinOrder { get; }

    /// <summary>A split-off block of 2^order pages at <paramref name="pfn"/> became a guard block.</summary>
    void OnGuardSet(uint pfn, int order);

    /// <summary>The guard block at <paramref name="pfn"/> is gone: merged into its freed buddy, or offlined.</summary>
    void OnGuardCleared(uint pfn, int order);
}
