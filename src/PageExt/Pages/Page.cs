using System.Runtime.InteropServices;

namespace PageExt.Pages;

/// <summary>
/// The page descriptor (struct page): one per 4 KiB frame, kept in the virtually contiguous
/// memory map so that pfn -> descriptor is one add. 32 bytes, half of the kernel's 64, because
/// everything a debugging client wants to add lives outside it, in page_ext: that is the point of
/// page_ext.
/// <para>
/// A descriptor in freshly committed memory is all zero, which is a valid state (a tail page of a
/// free block): booting a large machine writes only the heads of its free blocks.
/// </para>
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public struct Page
{
    /// <summary>Size of one descriptor in bytes; tested.</summary>
    public const int SizeBytes = 32;

    /// <summary>List terminator for <see cref="Next"/>/<see cref="Prev"/> (no PFN can be this large).</summary>
    internal const uint NoPfn = uint.MaxValue;

    /// <summary><see cref="PageFlags"/> in the low bits; node and zone in the high bits (see <see cref="PageFlagsLayout"/>).</summary>
    public ulong Flags;

    /// <summary>Free-list or per-CPU-list link: PFN of the next page, <see cref="NoPfn"/> at the end.</summary>
    internal uint Next;

    /// <summary>Free-list back link (free lists are doubly linked so a buddy can be unlinked in O(1)).</summary>
    internal uint Prev;

    /// <summary>References held by users: 1 on an allocated head, 0 on anything free or a tail.</summary>
    public int RefCount;

    /// <summary>page_private: the block order on a Buddy or Guard head.</summary>
    public uint Private;

    /// <summary>On a tail page of an allocation: head PFN + 1 (0 = not a tail), like compound_head.</summary>
    internal uint HeadPfnPlusOne;

    /// <summary>A <see cref="PageType"/>.</summary>
    internal byte Type;

    /// <summary>On an allocated head: the order it was allocated with (how free_pages is checked).</summary>
    internal byte AllocOrder;

    /// <summary>On an allocated head: gfp_migratetype of its allocation; on a per-CPU page: its list.</summary>
    internal byte MigrateType;

    /// <summary>Bit set of <see cref="PageState"/>.</summary>
    internal byte State;

    public readonly PageType PageType => (PageType)Type;

    /// <summary>
    /// <see cref="Type"/>, <see cref="AllocOrder"/>, <see cref="MigrateType"/> and <see cref="State"/>
    /// are adjacent bytes; the hot paths write them as this one little-endian word.
    /// </summary>
    internal static uint PackBookkeeping(PageType type, int order, byte migrateType, PageState state) =>
        (uint)type | ((uint)order << 8) | ((uint)migrateType << 16) | ((uint)state << 24);

    public readonly PageFlags PageFlags => (PageFlags)(Flags & PageFlagsLayout.FlagsMask);
}

/// <summary>Allocator bookkeeping bits in <see cref="Page.State"/> that the kernel keeps elsewhere.</summary>
[Flags]
internal enum PageState : byte
{
    None = 0,

    /// <summary>Allocated at least once since boot: tells a double free from a free of a page never handed out.</summary>
    EverAllocated = 1,

    /// <summary>Part of a block that was allocated and not yet freed (head or tail).</summary>
    InUse = 2,
}
