using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Pageblock = PageExt.Zones.Pageblock;

namespace PageExt.Physical;

/// <summary>
/// The pageblock table: one byte of migrate type (the bits of the kernel's pageblock_flags that
/// get_pageblock_migratetype() reads; Zones/Pageblock.cs gives them their meaning) and one byte
/// of zone index per pageblock, indexed by <c>pfn &gt;&gt; pageblock_order</c> over the
/// machine's whole PFN space. Both live in native
/// memory so the hot paths index them without bounds checks; callers validate the PFN against
/// <see cref="PhysicalMemory.MaxPfn"/> first. Zeroed at creation: every pageblock starts
/// MIGRATE_UNMOVABLE (0); a section's zones read <see cref="Pageblock.NoZone"/> once it is added.
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
    public byte Type(ulong pfn) => _types[pfn >> Pageblock.Order];

    public void SetType(ulong pfn, byte type) => _types[pfn >> Pageblock.Order] = type;

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
