using System.Runtime.InteropServices;
using PageExt.Tasks;

namespace PageExt.PageOwner;

/// <summary>
/// struct page_owner: what page_owner keeps about every page, in its page_ext area. 64 bytes, the
/// modern kernel's layout and size (the seed's 2014 entry was 88 bytes with the stack inline;
/// the stack depot handle replaced it in 4.7). Every page of an allocation gets a full copy, so
/// split pages keep their owner; a freed page keeps its last owner readable beside the free info.
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = SizeBytes)]
internal struct PageOwnerEntry
{
    public const int SizeBytes = 64;

    /// <summary>Order of the allocation this page belongs to; after split_page, the new order.</summary>
    [FieldOffset(0)]
    public ushort Order;

    /// <summary>-1 when never migrated (this model never migrates pages).</summary>
    [FieldOffset(2)]
    public short LastMigrateReason;

    [FieldOffset(4)]
    public uint GfpMask;

    /// <summary>Stack depot handle of the allocation stack; 0 = none.</summary>
    [FieldOffset(8)]
    public uint Handle;

    /// <summary>Stack depot handle of the last free stack; 0 = never freed.</summary>
    [FieldOffset(12)]
    public uint FreeHandle;

    /// <summary>Allocation time, ns since the machine booted (local_clock()).</summary>
    [FieldOffset(16)]
    public ulong TsNsec;

    [FieldOffset(24)]
    public ulong FreeTsNsec;

    [FieldOffset(32)]
    public CommBytes Comm;

    [FieldOffset(48)]
    public int Pid;

    [FieldOffset(52)]
    public int Tgid;

    [FieldOffset(56)]
    public int FreePid;

    [FieldOffset(60)]
    public int FreeTgid;
}
