namespace PageExt.PageOwner;

/// <summary>
/// The twelve page flags the 2014 (3.19) page_owner record shows as one-letter columns, in column
/// order. Several (Error, Slab, SwapCache, MappedToDisk) no longer exist as page flags; they are
/// kept so that old dumps can be reproduced and read back.
/// </summary>
[Flags]
public enum SeedPageFlags : ushort
{
    None = 0,
    Locked = 1 << 0,
    Error = 1 << 1,
    Referenced = 1 << 2,
    Uptodate = 1 << 3,
    Dirty = 1 << 4,
    Lru = 1 << 5,
    Active = 1 << 6,
    Slab = 1 << 7,
    Writeback = 1 << 8,
    Compound = 1 << 9,
    SwapCache = 1 << 10,
    MappedToDisk = 1 << 11,
}
