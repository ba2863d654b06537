namespace PageExt.Zones;

/// <summary>
/// Page mobility classes (include/linux/mmzone.h, modern enum order). Each pageblock has one; each
/// free area keeps one free list per type so that unmovable allocations do not pin down blocks that
/// compaction could otherwise empty.
/// </summary>
public enum MigrateType : byte
{
    Unmovable = 0,
    Movable = 1,
    Reclaimable = 2,

    /// <summary>Blocks reserved for high-order atomic allocations.</summary>
    HighAtomic = 3,

    /// <summary>Contiguous-memory-allocator blocks: only movable allocations may borrow them.</summary>
    Cma = 4,

    /// <summary>Blocks being taken offline or isolated; nothing is allocated from them.</summary>
    Isolate = 5,
}

/// <summary>Counts and names that go with <see cref="MigrateType"/>.</summary>
public static class MigrateTypes
{
    /// <summary>MIGRATE_TYPES: the number of free lists per free area.</summary>
    public const int Count = 6;

    /// <summary>MIGRATE_PCPTYPES: the types that per-CPU lists cache.</summary>
    public const int PcpTypes = 3;

    private static readonly string[] s_names = ["Unmovable", "Movable", "Reclaimable", "HighAtomic", "CMA", "Isolate"];

    /// <summary>migratetype_names[]: the spelling /proc/pagetypeinfo and page_owner print.</summary>
    public static string Name(MigrateType type) => s_names[(int)type];

    public static IReadOnlyList<string> Names => s_names;
}
