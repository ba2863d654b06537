using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using PageExt.Errors;
using PageExt.Platform;
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
/// Layout: the state the hot path touches (<see cref="PageSet"/>: the window flags, the owning
/// allocator's id, the thread's event counters, then one 64-byte <see cref="PerCpuPages"/> per
/// zone) lives in pinned memory
/// that the owning thread reaches through a pointer in a plain (non-object) thread static. That
/// is one load after the runtime's thread-local lookup, where an object-typed thread static costs
/// three dependent loads and two checks more, on every allocation and every free.
/// </para>
/// <para>
/// Concurrency model: only the owning thread touches the lists, inside a window it opens by
/// writing <see cref="PageSet.InUse"/> = 1 and closes with 0. Another thread that must see or
/// empty the lists (drain_all_pages, memory offline, the invariant walker) sets
/// <see cref="PageSet.DrainRequested"/>, issues a process-wide memory barrier, and waits until
/// InUse is 0 (an asymmetric Dekker handshake: the barrier orders the owner's store-then-load
/// without costing the owner a fence). From then until it clears DrainRequested the lists are the
/// drainer's; an owner that sees the request bypasses its lists and uses the zone lock. The
/// owner's store of InUse and its load of DrainRequested are volatile, so the JIT keeps their order.
/// </para>
/// <para>
/// Lifecycle: created on a thread's first small allocation or free on a machine and registered
/// with the allocator. A thread that exits leaves its cache behind, pages included; the allocator
/// notices through <see cref="Owner"/> (a weak reference to an object only the thread holds) and
/// drains and drops such caches whenever it drains. The pinned block is a managed array, so it
/// lives as long as the thread's list of caches or the allocator's registry refers to it: a
/// pointer left in a thread static can never outlive it.
/// </para>
/// </summary>
internal sealed unsafe class ThreadPageCache
{
    private readonly byte[] _storage;

    public ThreadPageCache(PageAllocator allocator, long allocatorId, Zone[] zones, object ownerToken)
    {
        Allocator = allocator;
        ZoneCount = zones.Length;

        // A cache line of padding on each side keeps other threads' data off these lines.
        int bytes = (2 * PaddingBytes) + sizeof(PageSet) + (zones.Length * sizeof(PerCpuPages));
        _storage = PinnedArray.Allocate<byte>(bytes + PaddingBytes, out byte* start);
        Set = (PageSet*)(((nint)start + (2 * PaddingBytes) - 1) & ~(nint)(PaddingBytes - 1));
        Set->AllocatorId = allocatorId;
        for (int z = 0; z < zones.Length; z++)
        {
            ref var lists = ref Lists(z);
            lists.Clear();
            lists.SetLimits(zones[z].PcpHigh, zones[z].PcpBatch);
        }

        Owner = new WeakReference(ownerToken);
    }

    private const int PaddingBytes = 64;

    /// <summary>The hot state, in the pinned block.</summary>
    public PageSet* Set { get; }

    public PageAllocator Allocator { get; }

    public int ZoneCount { get; }

    /// <summary>1 while the owner is inside an operation on the lists.</summary>
    public ref int InUse => ref Set->InUse;

    /// <summary>1 while another thread holds (or wants) the lists.</summary>
    public ref int DrainRequested => ref Set->DrainRequested;

    /// <summary>The lists of one zone, by zone index.</summary>
    public ref PerCpuPages Lists(int zone)
    {
        if ((uint)zone >= (uint)ZoneCount)
        {
            ThrowHelper.ThrowArgumentOutOfRange(nameof(zone), $"zone {zone} does not exist (the machine has {ZoneCount})");
        }

        return ref *PageSet.Lists(Set, zone);
    }

    /// <summary>Alive exactly as long as the owning thread.</summary>
    public WeakReference Owner { get; }

    /// <summary>
    /// The thread's hot state for one machine: one cache line of control words, one of event
    /// counters, then the per-zone lists. Only ever reached through a pointer into a
    /// <see cref="ThreadPageCache"/>'s block.
    /// </summary>
    [StructLayout(LayoutKind.Explicit, Size = 128)]
    internal struct PageSet
    {
        [FieldOffset(0)]
        public int InUse;

        [FieldOffset(8)]
        public int DrainRequested;

        /// <summary>
        /// 1 when the machine has allocator clients (its hook table), else 0. Written when the set
        /// is made and by <see cref="PageAllocator"/>'s hook installation at boot, both under the
        /// registry lock; never changes once the machine is up.
        /// </summary>
        [FieldOffset(12)]
        public int HasClients;

        /// <summary>
        /// <see cref="DrainRequested"/> and <see cref="HasClients"/> read as one word: 0 exactly when
        /// a cached allocation or free may finish on the fast path, so that one compare the fast
        /// paths make anyway for drains also keeps them from passing clients by. Only ever read.
        /// </summary>
        [FieldOffset(8)]
        public long FastPathBlocked;

        /// <summary>The allocator these lists belong to; 0 once it has shut down.</summary>
        [FieldOffset(16)]
        public long AllocatorId;

        /// <summary>This thread's vm_event_state for the machine: written by the owner only, summed by readers.</summary>
        [FieldOffset(64)]
        public VmStat.VmEventState Events;

        /// <summary>The lists of zone <paramref name="zone"/>, which follow the control line; the caller has checked the index.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static PerCpuPages* Lists(PageSet* set, int zone) => (PerCpuPages*)(set + 1) + zone;
    }
}
