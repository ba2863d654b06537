using PageExt.Zones;

namespace PageExt.Buddy;

/// <summary>
/// __rmqueue_claim() / __rmqueue_steal(): an allocation of <c>allocType</c> was served
/// from <c>fallbackType</c>'s free lists; where the kernel fires
/// kmem:mm_page_alloc_extfrag, once the block is taken.
/// <para>
/// Context: the zone lock is held. Must not allocate or free pages, take a zone lock or call back
/// into the allocator.
/// </para>
/// </summary>
internal interface IExtfragHook : IAllocatorClient
{
    /// <param name="changeOwnership">The pageblock of <paramref name="pfn"/> is now of <paramref name="allocType"/> (the kernel reads get_pageblock_migratetype() when it traces).</param>
    void OnExtfrag(Physical.Pfn pfn, int allocOrder, int fallbackOrder, MigrateType allocType, MigrateType fallbackType, bool changeOwnership);
}
