namespace PageExt.Buddy;

/// <summary>
/// Told when expand() sets a guard block aside and when __free_one_page() merges one back: the
/// seed's set_page_guard()/clear_page_guard() also flipped PAGE_EXT_DEBUG_GUARD, which is a
/// debug_pagealloc concern, so the buddy only reports the event and the feature keeps the flag.
/// <para>
/// Context: called with the zone lock held, only when guard pages are enabled (never on a boot
/// without debug_guardpage_minorder, never on the per-CPU fast path unless a refill splits a block
/// below the guard order). The block is exclusively the allocator's. Must not allocate pages,
/// take a zone lock or call back into the allocator; it may take its own locks.
/// </para>
/// </summary>
internal interface IGuardPageObserver
{
    /// <summary>A split-off block of 2^order pages at <paramref name="pfn"/> became a guard block.</summary>
    void GuardSet(uint pfn, int order);

    /// <summary>The guard block at <paramref name="pfn"/> was merged into its freed buddy.</summary>
    void GuardCleared(uint pfn, int order);
}
