namespace PageExt.Pages;

/// <summary>
/// Page flag bits (include/linux/page-flags.h, the x86-64 layout of a ≈v6.17 kernel), kept in the
/// low bits of <see cref="Page.Flags"/>. Only the flags the allocator and its debugging clients
/// set or print are modelled; the rest of the kernel's bits stay reserved so values line up.
/// Buddy, Guard and Slab are page <em>types</em> in the kernel, not flags; they live in
/// <see cref="PageType"/>.
/// </summary>
[Flags]
public enum PageFlags : ulong
{
    None = 0,
    Locked = 1UL << 0,
    Writeback = 1UL << 1,
    Referenced = 1UL << 2,
    Uptodate = 1UL << 3,
    Dirty = 1UL << 4,
    Lru = 1UL << 5,

    /// <summary>First page of a compound (__GFP_COMP) allocation.</summary>
    Head = 1UL << 6,
    Waiters = 1UL << 7,
    Active = 1UL << 8,
    Workingset = 1UL << 9,
    OwnerPriv1 = 1UL << 10,
    Owner2 = 1UL << 11,
    Arch1 = 1UL << 12,

    /// <summary>Never given to the buddy allocator (firmware, holes' neighbours, early reservations).</summary>
    Reserved = 1UL << 13,
    Private = 1UL << 14,
    Private2 = 1UL << 15,
    Reclaim = 1UL << 16,
    SwapBacked = 1UL << 17,
    Unevictable = 1UL << 18,
    DropBehind = 1UL << 19,
    Mlocked = 1UL << 20,
    HwPoison = 1UL << 21,
}

/// <summary>
/// The page's type (the kernel's page_type field): mutually exclusive states that are not flags.
/// </summary>
public enum PageType : byte
{
    /// <summary>Allocated, reserved, or a tail of a free block.</summary>
    None = 0,

    /// <summary>Head of a free block on a buddy free list (PageBuddy); order in <see cref="Page.Private"/>.</summary>
    Buddy = 1,

    /// <summary>Head of a guard block split off by expand() (PageGuard); order in <see cref="Page.Private"/>.</summary>
    Guard = 2,

    /// <summary>Free order-0..3 page parked on a per-CPU list.</summary>
    PerCpu = 3,

    /// <summary>A page taken out of circulation after a bad-page report.</summary>
    Bad = 4,

    /// <summary>A page of an offlined section.</summary>
    Offline = 5,
}
