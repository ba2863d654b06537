using System.Runtime.CompilerServices;

namespace PageExt.Zones;

/// <summary>
/// One cache of free pages for one zone (the lists of struct per_cpu_pages): a LIFO list per order
/// 0..<see cref="Buddy.PageOrder.Costly"/> and per movable, unmovable and reclaimable type, linked
/// through the page descriptors. Who may touch it, and when, is decided by its owner
/// (<see cref="Buddy.ThreadPageCache"/>); the lists themselves take no locks. One cache line each.
/// </summary>
[System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Sequential, Size = 64)]
internal struct PerCpuPages
{
    public const int Lists = (Buddy.PageOrder.Costly + 1) * MigrateTypes.PcpTypes;

    /// <summary>Pages (not blocks) on all lists = sum over lists of blocks &lt;&lt; order.</summary>
    public int Count;

    public PcpHeads Heads;

    public static int ListIndex(int order, MigrateType type) => (order * MigrateTypes.PcpTypes) + (int)type;

    public void Clear()
    {
        Count = 0;
        for (int i = 0; i < Lists; i++)
        {
            Heads[i] = Pages.Page.NoPfn;
        }
    }
}

[InlineArray(PerCpuPages.Lists)]
internal struct PcpHeads
{
    private uint _element;
}
