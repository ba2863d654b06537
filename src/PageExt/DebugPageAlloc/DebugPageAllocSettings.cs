using PageExt.Buddy;
using PageExt.Errors;

namespace PageExt.DebugPageAlloc;

/// <summary>
/// What the boot command line decided for debug_pagealloc and page poisoning (kernel parameters
/// <c>debug_pagealloc=</c>, <c>disable_debug_pagealloc</c>, <c>debug_guardpage_minorder=</c>,
/// <c>page_poison=</c>, and the model's own <c>debug_pagealloc_max_ranges=</c>). Immutable: a
/// machine's feature is built from one of these at boot and never changes.
/// </summary>
public sealed record DebugPageAllocSettings
{
    /// <summary>MAX_PAGE_ORDER / 2: the largest debug_guardpage_minorder the kernel accepts.</summary>
    public const int MaxGuardPageMinOrder = PageOrder.Max / 2;

    /// <summary>
    /// Ceiling for <see cref="MaxProtectedRanges"/>. Each protected range can split a mapping in
    /// three (two extra VMAs) and the process aborts at vm.max_map_count (65530 by default), which
    /// the runtime's own mappings share; 16384 ranges stay below half of it.
    /// </summary>
    public const int MaxProtectedRangesLimit = 16384;

    /// <summary>Default quarantine size: 4096 ranges, at most 8192 VMAs.</summary>
    public const int DefaultMaxProtectedRanges = 4096;

    /// <summary>Everything off: the boot a machine gets when nothing is on the command line.</summary>
    public static DebugPageAllocSettings Off { get; } = new();

    /// <summary><c>debug_pagealloc=on</c>: free pages are made inaccessible (off by default).</summary>
    public bool DebugPagealloc { get; init; }

    /// <summary><c>debug_guardpage_minorder=N</c>, 0..<see cref="MaxGuardPageMinOrder"/>; effective only with <see cref="DebugPagealloc"/>.</summary>
    public int GuardPageMinOrder
    {
        get;
        init
        {
            if ((uint)value > MaxGuardPageMinOrder)
            {
                ThrowHelper.ThrowArgumentOutOfRange(nameof(GuardPageMinOrder), $"Bad debug_guardpage_minorder value: {value} is not in 0..{MaxGuardPageMinOrder}");
            }

            field = value;
        }
    }

    /// <summary><c>page_poison=1</c>: freed pages are filled with 0xaa and checked when allocated again.</summary>
    public bool PagePoison { get; init; }

    /// <summary>
    /// <c>debug_pagealloc_max_ranges=N</c>: how many freed ranges stay protected at once (the
    /// quarantine). Beyond it the oldest range is made accessible again and poisoned instead.
    /// 0 protects nothing and poisons every freed page.
    /// </summary>
    public int MaxProtectedRanges
    {
        get;
        init
        {
            if ((uint)value > MaxProtectedRangesLimit)
            {
                ThrowHelper.ThrowArgumentOutOfRange(nameof(MaxProtectedRanges), $"debug_pagealloc_max_ranges={value} is not in 0..{MaxProtectedRangesLimit}");
            }

            field = value;
        }
    } = DefaultMaxProtectedRanges;

    /// <summary>
    /// Opt-in: record the faulting address of a use-after-free (a SIGSEGV stub chained in front of
    /// the runtime's handler, Linux x64 only) and print a kernel-style report before the process
    /// dies. Managed code can run after the fault only when the process was started with
    /// DOTNET_legacyCorruptedStateExceptionsPolicy=1; without it the runtime's own message is all.
    /// </summary>
    public bool FaultReport { get; init; }

    /// <summary>The guard-page order that takes effect: minorder, but only with debug_pagealloc on.</summary>
    public int EffectiveGuardPageMinOrder => DebugPagealloc ? GuardPageMinOrder : 0;
}
