namespace PageExt.Buddy;

/// <summary>Why a free (or other operation on a page) was refused as a bad page.</summary>
public enum BadPageReason
{
    /// <summary>The page is already free: on a buddy or per-CPU list, or inside a free block.</summary>
    DoubleFree,

    /// <summary>The page has never been handed out since boot.</summary>
    NeverAllocated,

    /// <summary>The page is a tail of a larger allocation; only its head may be freed.</summary>
    TailPage,

    /// <summary>The order passed to free differs from the order the block was allocated with.</summary>
    WrongOrder,

    /// <summary>The PFN or address is outside the machine's online memory.</summary>
    OutOfRange,

    /// <summary>The page is reserved (never given to the buddy allocator).</summary>
    Reserved,

    /// <summary>The page was already taken out of circulation by an earlier report.</summary>
    AlreadyBad,

    /// <summary>The operation is not allowed on this kind of page (e.g. split_page on a compound page).</summary>
    InvalidOperation,
}
