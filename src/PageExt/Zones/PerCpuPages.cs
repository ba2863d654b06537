using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace PageExt.Zones;

/// <summary>
/// One cache of free pages for one zone (struct per_cpu_pages): a LIFO list per order
/// 0..<see cref="Buddy.PageOrder.Costly"/> and per movable, unmovable and reclaimable type, linked
/// through the page descriptors, with the zone's high and batch limits copied in as the kernel
/// copies them, so that a free reads nothing outside this cache line. Who may touch it, and when,
/// is decided by its owner (<see cref="Buddy.ThreadPageCache"/>); the lists themselves take no
/// locks. One cache line each.
/// </summary>
[System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Sequential, Size = 64)]
internal struct PerCpuPages
{
    public const int Lists = (Buddy.PageOrder.Costly + 1) * MigrateTypes.PcpTypes;

    /// <summary>Pages (not blocks) on all lists = sum over lists of blocks &lt;&lt; order.</summary>
    public int Count;

    /// <summary>pcp->high: holding this many pages, the cache gives a batch back.</summary>
    public int High;

    /// <summary>pcp->batch: blocks moved between the buddy lists and the cache at a time.</summary>
    public int Batch;

    public PcpHeads Heads;

    public static int ListIndex(int order, MigrateType type) => (order * MigrateTypes.PcpTypes) + (int)type;

    /// <summary>
    /// The head of list <paramref name="list"/> of the cache at <paramref name="lists"/>, with no
    /// bounds or null check: the hot paths compute the index from an order they have checked
    /// against <see cref="Buddy.PageOrder.Costly"/> and a type below <see cref="MigrateTypes.PcpTypes"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe uint* Head(PerCpuPages* lists, int list)
    {
        Debug.Assert((uint)list < Lists);
        return (uint*)&lists->Heads + list;
    }

    public void Clear()
    {
        Count = 0;
        for (int i = 0; i < Lists; i++)
        {
            Heads[i] = Pages.Page.NoPfn;
        }
    }

    /// <summary>Written by the tuning code from any thread; the owner reads them as plain ints.</summary>
    public void SetLimits(int high, int batch)
    {
        Volatile.Write(ref High, high);
        Volatile.Write(ref Batch, batch);
    }
}

[InlineArray(PerCpuPages.Lists)]
internal struct PcpHeads
{
    private uint _element;
}
