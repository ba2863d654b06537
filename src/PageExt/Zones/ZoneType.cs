namespace PageExt.Zones;

/// <summary>Zone kinds on x86-64, in zone-index order (enum zone_type).</summary>
public enum ZoneType
{
    /// <summary>The first 16 MiB, for ISA-era DMA.</summary>
    Dma = 0,

    /// <summary>Below 4 GiB, for 32-bit DMA.</summary>
    Dma32 = 1,

    Normal = 2,

    /// <summary>Only movable allocations, so the memory can always be offlined (movablecore=).</summary>
    Movable = 3,
}

/// <summary>Names and boundaries that go with <see cref="ZoneType"/>.</summary>
public static class ZoneTypes
{
    public const int Count = 4;

    private static readonly string[] s_names = ["DMA", "DMA32", "Normal", "Movable"];

    /// <summary>The spelling /proc/buddyinfo and /proc/pagetypeinfo print.</summary>
    public static string Name(ZoneType type) => s_names[(int)type];

    /// <summary>MAX_DMA_PFN: 16 MiB.</summary>
    public const ulong DmaEndPfn = (16UL << 20) >> Physical.PageSize.Shift;

    /// <summary>MAX_DMA32_PFN: 4 GiB.</summary>
    public const ulong Dma32EndPfn = (4UL << 30) >> Physical.PageSize.Shift;
}
