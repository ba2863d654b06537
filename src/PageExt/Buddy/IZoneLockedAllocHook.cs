using PageExt.Zones;

namespace PageExt.Buddy;

/// <summary>
/// __rmqueue_smallest(): a block of the requested order came off the buddy lists of
/// <c>type</c>, split down to size; where the kernel fires kmem:mm_page_alloc_zone_locked.
/// <para>
/// Context: the zone lock is held and the block is not yet anyone's. Must not allocate or free
/// pages, take a zone lock or call back into the allocator; may take its own leaf locks.
/// </para>
/// </summary>
internal interface IZoneLockedAllocHook : IAllocatorClient
{
    /// <param name="percpuRefill">pcp_allowed_order(order) &amp;&amp; type &lt; MIGRATE_PCPTYPES: the block could be feeding a per-CPU list.</param>
    void OnAllocZoneLocked(Physical.Pfn pfn, int order, MigrateType type, bool percpuRefill);
}
