namespace PageExt.PageExtension;

/// <summary>
/// Bits of the flags word shared by all clients at offset 0 of every entry (enum page_ext_flags):
/// today's page_owner bits plus the seed's debug_pagealloc bits, which this model keeps because
/// its guard pages and poisoning record their state in page_ext as the 2014 series did.
/// </summary>
[Flags]
public enum PageExtFlags : ulong
{
    None = 0,

    /// <summary>Owner information has been recorded for this page at least once.</summary>
    Owner = 1 << 0,

    /// <summary>The page is allocated now (owner info of a freed page stays readable without it).</summary>
    OwnerAllocated = 1 << 1,

    /// <summary>The page is part of a guard block split off by expand().</summary>
    DebugGuard = 1 << 2,

    /// <summary>The page was filled with the poison pattern when freed and is checked on allocation.</summary>
    DebugPoison = 1 << 3,
}
