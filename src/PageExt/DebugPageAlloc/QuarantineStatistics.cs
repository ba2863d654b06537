namespace PageExt.DebugPageAlloc;

/// <summary>What debug_pagealloc's quarantine of protected ranges did since boot.</summary>
/// <param name="ProtectedRanges">Ranges protected now (each one mprotect'ed run).</param>
/// <param name="ProtectedPages">Pages in those ranges.</param>
/// <param name="TotalProtected">Freed blocks and guard blocks ever protected.</param>
/// <param name="FellBack">Ranges made accessible again because the quarantine was full, then poisoned.</param>
/// <param name="ProtectFailures">Blocks the OS refused to protect (poisoned instead).</param>
/// <param name="MaxProtectedRanges">The bound on <paramref name="ProtectedRanges"/>.</param>
public readonly record struct QuarantineStatistics(
    int ProtectedRanges,
    long ProtectedPages,
    long TotalProtected,
    long FellBack,
    long ProtectFailures,
    int MaxProtectedRanges);
