using PageExt.Zones;

namespace PageExt.Buddy;

/// <summary>
/// free_pcppages_bulk(): a block left a per-CPU list and was merged into the buddy lists of its
/// pageblock's type; where the kernel fires kmem:mm_page_pcpu_drain, after __free_one_page().
/// <para>
/// Context: the zone lock is held, on the thread that owns the per-CPU list or one that drains it.
/// Must not allocate or free pages, take a zone lock or call back into the allocator.
/// </para>
/// </summary>
internal interface IPcpuDrainHook : IAllocatorClient
{
    void OnPcpuDrain(Physical.Pfn pfn, int order, MigrateType type);
}
