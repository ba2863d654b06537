using System.Runtime.CompilerServices;
using PageExt.Physical;

namespace PageExt.Zones;

/// <summary>
/// A pageblock: the unit that carries a migrate type (pageblock_order, 2 MiB on x86-64). Fallback
/// allocations steal whole pageblocks so that mobility types stay grouped.
/// </summary>
public static class Pageblock
{
    public const int Order = 9;

    public const int Pages = 1 << Order;

    /// <summary>The zone index of a pageblock no zone spans (a present section not yet onlined).</summary>
    public const byte NoZone = byte.MaxValue;
}

/// <summary>
/// The pageblock table as the allocator, boot and hotplug reach it: through the machine's memory,
/// which owns the bytes for its PFN space (as the kernel's sparse sections own their usemaps,
/// <see cref="PageblockTable"/>). What a byte means, a migrate type, is pageblock code and lives
/// here, so Physical stores pageblocks without knowing about zones.
/// </summary>
internal static class PageblockAccess
{
    extension(PhysicalMemory memory)
    {
        /// <summary>Migrate type by pageblock number, for callers that cache the table (hot paths).</summary>
        internal unsafe byte* PageblockTypes => memory.Pageblocks.Types;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal MigrateType PageblockType(ulong pfn) => (MigrateType)memory.Pageblocks.Type(pfn);

        internal void SetPageblockType(ulong pfn, MigrateType type) => memory.Pageblocks.SetType(pfn, (byte)type);

        /// <summary>Index (in the machine's zone table) of the zone a pageblock belongs to; <see cref="Pageblock.NoZone"/> when none.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal int PageblockZone(ulong pfn) => memory.Pageblocks.Zone(pfn);

        internal void SetPageblockZone(ulong pfn, int zoneIndex) => memory.Pageblocks.SetZone(pfn, zoneIndex);
    }
}
