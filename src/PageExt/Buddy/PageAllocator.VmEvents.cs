using System.Runtime.CompilerServices;
using PageExt.VmStat;
using PageExt.Zones;

namespace PageExt.Buddy;

/// <summary>
/// The allocator's vm events (mm/vmstat.c's vm_event_states): counted per thread with plain adds
/// on the thread's own <see cref="ThreadPageCache.PageSet"/>, summed on read. Counted where the
/// kernel counts them: pgalloc when rmqueue hands a block out, pgfree when a checked block goes
/// to a per-CPU list or the buddy lists.
/// </summary>
public sealed unsafe partial class PageAllocator
{
    /// <summary>Counts of the caches dropped with their threads (vm_events_fold_cpu's target). Guarded by <see cref="_cachesLock"/>.</summary>
    private VmEventState _foldedEvents;

    /// <summary>The allocator's id: process-unique, never reused.</summary>
    internal long Id => _id;

    /// <summary>The allocator's events since boot, summed over every thread.</summary>
    public VmEvents VmEvents
    {
        get
        {
            ThrowIfShutDown();
            return ReadVmEvents();
        }
    }

    /// <summary>Bad-page reports since boot, also after shutdown.</summary>
    internal long BadPageReports => Interlocked.Read(ref _badPageCount);

    /// <summary>
    /// all_vm_events(): the folded counts plus every registered thread's. Readable after shutdown
    /// (the counters are managed memory), so that a disposed machine's last counts can be kept.
    /// </summary>
    internal VmEvents ReadVmEvents()
    {
        VmEventState sum = default;
        lock (_cachesLock)
        {
            sum.Add(in _foldedEvents);
            foreach (var cache in _caches)
            {
                sum.Add(in cache.Set->Events);
            }
        }

        return VmEvents.From(in sum, Interlocked.Read(ref _allocFailures));
    }

    /// <summary>__count_zid_vm_events(PGALLOC, zone, 1 &lt;&lt; order) and one call, on this thread's counters.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CountAlloc(ThreadPageCache.PageSet* set, int zoneIndex, int order)
    {
        ulong* events = (ulong*)&set->Events;
        events[(int)VmEventItem.PgAllocDma + ((uint)zoneIndex % ZoneTypes.Count)] += 1UL << order;
        events[(int)VmEventItem.AllocCalls]++;
    }

    /// <summary>__count_vm_events(PGFREE, 1 &lt;&lt; order) and one call, on this thread's counters.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CountFree(ThreadPageCache.PageSet* set, int order)
    {
        ulong* events = (ulong*)&set->Events;
        events[(int)VmEventItem.PgFree] += 1UL << order;
        events[(int)VmEventItem.FreeCalls]++;
    }

    /// <summary>Keep the counts of a cache about to be dropped (caller holds <see cref="_cachesLock"/>); always true, for RemoveAll.</summary>
    private bool FoldVmEvents(ThreadPageCache cache)
    {
        _foldedEvents.Add(in cache.Set->Events);
        return true;
    }
}
