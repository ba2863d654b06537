namespace PageExt.Zones;

/// <summary>
/// A zone's free-page thresholds (WMARK_MIN/LOW/HIGH), in pages. Allocations succeed on the fast
/// path while free pages stay above Low, and only privileged ones (atomic, __GFP_HIGH,
/// __GFP_MEMALLOC) may dip below Min; with no reclaim in the model, High is informational.
/// </summary>
public readonly record struct Watermarks(long Min, long Low, long High);
