using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
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
/// The pageblock table: one byte of migrate type (get_pageblock_migratetype()'s bits of the
/// kernel's pageblock_flags) and one byte of zone index per pageblock, indexed by
/// <c>pfn &gt;&gt; pageblock_order</c> over the machine's whole PFN space. Both live in native
/// memory so the hot paths index them without bounds checks; callers validate the PFN against
/// <see cref="PhysicalMemory.MaxPfn"/> first. Zeroed at creation: every pageblock starts
/// <see cref="MigrateType.Unmovable"/>; a section's zones read <see cref="Pageblock.NoZone"/> once
/// it is added.
/// <para>
/// Concurrency model: a pageblock's type changes under its zone's lock (fallback stealing, CMA and
/// hotplug at boot or with the zone quiet); readers outside the lock may see the old or the new
/// byte, which the kernel tolerates the same way (a stale migrate type only sends a free page to
/// another free list).
/// </para>
/// </summary>
internal sealed unsafe class PageblockTable
{
    private readonly byte* _types;
    private readonly byte* _zones;
    private bool _released;

    public PageblockTable(ulong maxPfn)
    {
        _types = (byte*)NativeMemory.AllocZeroed((nuint)(maxPfn >> Pageblock.Order));
        _zones = (byte*)NativeMemory.AllocZeroed((nuint)(maxPfn >> Pageblock.Order));
    }

    /// <summary>Migrate type by pageblock number, for callers that cache the table (hot paths).</summary>
    public byte* Types => _types;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public MigrateType Type(ulong pfn) => (MigrateType)_types[pfn >> Pageblock.Order];

    public void SetType(ulong pfn, MigrateType type) => _types[pfn >> Pageblock.Order] = (byte)type;

    /// <summary>Index (in the machine's zone table) of the zone a pageblock belongs to; <see cref="Pageblock.NoZone"/> when none.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Zone(ulong pfn) => _zones[pfn >> Pageblock.Order];

    public void SetZone(ulong pfn, int zoneIndex) => _zones[pfn >> Pageblock.Order] = (byte)zoneIndex;

    /// <summary>Marks the pageblocks of [startPfn, startPfn + pages) as in no zone.</summary>
    public void ClearZones(ulong startPfn, ulong pages) =>
        new Span<byte>(_zones + (startPfn >> Pageblock.Order), (int)(pages >> Pageblock.Order)).Fill(Pageblock.NoZone);

    /// <summary>Frees both tables; the machine's dispose calls it once no thread can read them.</summary>
    public void Release()
    {
        if (!_released)
        {
            _released = true;
            NativeMemory.Free(_types);
            NativeMemory.Free(_zones);
        }
    }
}

/// <summary>
/// The pageblock table as the allocator, boot and hotplug reach it: through the machine's memory,
/// which owns one table for its PFN space (as the kernel's sparse sections own their usemaps).
/// </summary>
internal static class PageblockAccess
{
    extension(PhysicalMemory memory)
    {
        /// <summary>Migrate type by pageblock number, for callers that cache the table (hot paths).</summary>
        internal unsafe byte* PageblockTypes => memory.Pageblocks.Types;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal MigrateType PageblockType(ulong pfn) => memory.Pageblocks.Type(pfn);

        internal void SetPageblockType(ulong pfn, MigrateType type) => memory.Pageblocks.SetType(pfn, type);

        /// <summary>Index (in the machine's zone table) of the zone a pageblock belongs to; <see cref="Pageblock.NoZone"/> when none.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal int PageblockZone(ulong pfn) => memory.Pageblocks.Zone(pfn);

        internal void SetPageblockZone(ulong pfn, int zoneIndex) => memory.Pageblocks.SetZone(pfn, zoneIndex);
    }
}
