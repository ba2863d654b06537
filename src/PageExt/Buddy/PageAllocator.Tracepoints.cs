using System.Runtime.CompilerServices;
using PageExt.Physical;
using PageExt.Zones;

namespace PageExt.Buddy;

/// <summary>
/// The hook points of the zone-locked paths, where mm/page_alloc.c fires its other kmem
/// tracepoints: each call site tests <c>AllocatorHookTable.Supported</c> and its array, and comes
/// here only when a client is on. Caller holds the zone lock.
/// </summary>
public sealed unsafe partial class PageAllocator
{
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void AllocZoneLockedHookSlow(AllocatorHookTable hooks, uint pfn, int order, MigrateType type)
    {
        // The kernel's percpu_refill: pcp_allowed_order(order) && migratetype < MIGRATE_PCPTYPES.
        bool percpuRefill = order <= PageOrder.Costly && type < MigrateType.HighAtomic;
        foreach (var hook in hooks.AllocZoneLocked)
        {
            hook.OnAllocZoneLocked(new Pfn(pfn), order, type, percpuRefill);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void PcpuDrainHookSlow(AllocatorHookTable hooks, uint pfn, int order, MigrateType type)
    {
        foreach (var hook in hooks.PcpuDrain)
        {
            hook.OnPcpuDrain(new Pfn(pfn), order, type);
        }
    }

    /// <summary>change_ownership is read as the kernel reads it when it traces: is the block's pageblock now of the requested type?</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ExtfragHookSlow(AllocatorHookTable hooks, uint pfn, int order, int fallbackOrder, MigrateType start, MigrateType fallback)
    {
        bool changeOwnership = BlockType(pfn) == start;
        foreach (var hook in hooks.Extfrag)
        {
            hook.OnExtfrag(new Pfn(pfn), order, fallbackOrder, start, fallback, changeOwnership);
        }
    }
}
