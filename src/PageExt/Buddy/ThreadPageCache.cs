using PageExt.Zones;

namespace PageExt.Buddy;

/// <summary>
/// The per-CPU page lists of one thread for one machine: a <see cref="PerCpuPages"/> per zone.
/// <para>
/// Why per thread: the kernel's per-CPU lists are cheap because the kernel disables preemption
/// while it touches them, so no other context can run on that CPU. User space cannot pin a thread
/// to a CPU for the length of an operation; reading the current CPU costs a system call's worth
/// of time (about 4 ns measured, twice per alloc/free pair) and a lock per list one atomic each.
/// A thread is the unit that really cannot be interrupted by itself, so the lists belong to a
/// thread, and the common small allocation and free run with no atomic instruction at all.
/// </para>
/// <para>
/// Concurrency model: only the owning thread touches the lists, inside a window it opens by
/// writing <see cref="InUse"/> = 1 and closes with 0. Another thread that must see or empty the
/// lists (drain_all_pages, memory offline, the invariant walker) sets <see cref="DrainRequested"/>,
/// issues a process-wide memory barrier, and waits until <see cref="InUse"/> is 0 (an asymmetric
/// Dekker handshake: the barrier orders the owner's store-then-load without costing the owner a
/// fence). From then until it clears <see cref="DrainRequested"/> the lists are the drainer's; an
/// owner that sees the request bypasses its lists and uses the zone lock. The owner's store of
/// InUse and its load of DrainRequested are volatile, so the JIT keeps their order.
/// </para>
/// <para>
/// Lifecycle: created on a thread's first small allocation or free on a machine and registered
/// with the allocator. A thread that exits leaves its cache behind, pages included; the allocator
/// notices through <see cref="Owner"/> (a weak reference to an object only the thread holds) and
/// drains and drops such caches whenever it drains.
/// </para>
/// </summary>
internal sealed class ThreadPageCache
{
    public ThreadPageCache(PageAllocator allocator, int zones, object ownerToken)
    {
        Allocator = allocator;
        _lists = new PerCpuPages[zones + 2];
        foreach (ref var lists in _lists.AsSpan())
        {
            lists.Clear();
        }

        Owner = new WeakReference(ownerToken);
    }

    // The owner writes the flags and its lists on every operation; padding keeps another thread's
    // cache (allocated next to this one on the heap) off these cache lines.
#pragma warning disable CS0169, IDE0051
    private readonly PaddingLine _before;
#pragma warning restore CS0169, IDE0051

    /// <summary>1 while the owner is inside an operation on the lists.</summary>
    public int InUse;

    /// <summary>1 while another thread holds (or wants) the lists.</summary>
    public int DrainRequested;

#pragma warning disable CS0169, IDE0051
    private readonly PaddingLine _after;
#pragma warning restore CS0169, IDE0051

    /// <summary>One padding element at each end, for the same reason.</summary>
    private readonly PerCpuPages[] _lists;

    public PageAllocator Allocator { get; }

    public int ZoneCount => _lists.Length - 2;

    /// <summary>The lists of one zone, by zone index.</summary>
    public ref PerCpuPages Lists(int zone) => ref _lists[zone + 1];

    [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Sequential, Size = 64)]
    private struct PaddingLine
    {
    }

    /// <summary>Alive exactly as long as the owning thread.</summary>
    public WeakReference Owner { get; }
}
