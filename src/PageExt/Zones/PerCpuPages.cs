using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace PageExt.Zones;

/// <summary>
/// One CPU's cache of free pages for one zone (struct per_cpu_pages): a LIFO list per order
/// 0..<see cref="Buddy.PageOrder.Costly"/> and per movable, unmovable and reclaimable type, so the
/// common small allocation takes no zone lock.
/// <para>
/// Concurrency model: the kernel disables preemption and spin_trylocks pcp->lock; a .NET thread
/// can be moved between CPUs at any instruction, so <see cref="Lock"/> is a try-lock word taken
/// with one compare-exchange. It is uncontended in the common case (one thread per CPU); a thread
/// that finds it taken goes to the zone's buddy lists instead of waiting, as rmqueue_pcplist does.
/// Lock order: pcp lock, then zone lock.
/// </para>
/// </summary>
[StructLayout(LayoutKind.Sequential, Size = 128)]
internal struct PerCpuPages
{
    public const int Lists = (Buddy.PageOrder.Costly + 1) * MigrateTypes.PcpTypes;

    /// <summary>0 free, 1 held.</summary>
    public int Lock;

    /// <summary>Pages (not blocks) on all lists.</summary>
    public int Count;

    /// <summary>When Count reaches it, a batch goes back to the buddy lists.</summary>
    public int High;

    /// <summary>Blocks moved between the buddy lists and this cache at a time.</summary>
    public int Batch;

    public PcpHeads Heads;

    public static int ListIndex(int order, MigrateType type) => (order * MigrateTypes.PcpTypes) + (int)type;

    public bool TryLock() => Interlocked.CompareExchange(ref Lock, 1, 0) == 0;

    public void Unlock() => Volatile.Write(ref Lock, 0);
}

[InlineArray(PerCpuPages.Lists)]
internal struct PcpHeads
{
    private uint _element;
}
