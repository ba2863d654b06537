namespace PageExt.Buddy;

/// <summary>Internal allocation modifiers (mm/internal.h ALLOC_*), derived from the gfp mask and the path.</summary>
[Flags]
internal enum AllocFlags
{
    WmarkLow = 0,
    WmarkMin = 1,

    /// <summary>Ignore watermarks entirely (__GFP_MEMALLOC, or __GFP_NOFAIL as a last resort).</summary>
    NoWatermarks = 2,

    /// <summary>__GFP_HIGH: may use half of the min reserve.</summary>
    MinReserve = 4,

    /// <summary>The caller cannot sleep (no direct reclaim): may use a further quarter.</summary>
    NonBlock = 8,

    /// <summary>High-order atomic: may use and create MIGRATE_HIGHATOMIC reserves.</summary>
    HighAtomic = 16,

    /// <summary>Movable allocation: may use CMA pageblocks.</summary>
    Cma = 32,
}
