using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace PageExt.VmStat;

/// <summary>
/// struct vm_event_state: one thread's event counts for one machine, indexed by
/// <see cref="VmEventItem"/>, on a cache line of its own.
/// <para>
/// Why per thread: the kernel's count_vm_event() is a plain per-CPU increment, no atomic, because
/// only that CPU writes its counters and readers sum every CPU's, tolerating counts a moment old.
/// PageExt's per-CPU state is per thread (<see cref="Buddy.ThreadPageCache"/> says why), so the
/// counters live there too: the owning thread adds to them with plain stores on a line nobody
/// else writes, and a reader sums all threads' lines under the allocator's cache registry lock.
/// </para>
/// <para>
/// Concurrency model: one writer (the owning thread), any number of readers. A 64-bit load or
/// store is atomic on the 64-bit platforms PageExt runs on, so a reader sees each counter as it
/// was at some moment, never torn; it may miss the last few increments of a running thread.
/// </para>
/// </summary>
[StructLayout(LayoutKind.Sequential, Size = 64)]
internal struct VmEventState
{
    public const int Items = (int)VmEventItem.FreeCalls + 1;

    public Counters Events;

    /// <summary>Add every counter of <paramref name="other"/> to this one (vm_events_fold_cpu, sum_vm_events).</summary>
    public void Add(in VmEventState other)
    {
        for (int i = 0; i < Items; i++)
        {
            Events[i] += Volatile.Read(in other.Events[i]);
        }
    }

    [InlineArray(Items)]
    internal struct Counters
    {
        private ulong _item;
    }
}
