namespace PageExt.Views;

/// <summary>
/// What /proc/buddyinfo and /proc/pagetypeinfo print for one populated zone, captured once so the
/// text is a pure function of it (and a real kernel's output can be parsed back into it and
/// re-rendered byte for byte in tests).
/// </summary>
/// <param name="FreeBlocks">[migrate type column][order]: blocks on that free list.</param>
/// <param name="PageblockCounts">[migrate type column]: pageblocks of that type.</param>
/// <param name="MixedBlockCounts">[migrate type column]: mixed pageblocks, or null when page_owner is off.</param>
public sealed record ZoneSnapshot(
    int Node,
    string ZoneName,
    long[][] FreeBlocks,
    long[] PageblockCounts,
    long[]? MixedBlockCounts)
{
    /// <summary>nr_free per order, over all types (what buddyinfo prints).</summary>
    public long[] FreeBlocksPerOrder { get; init; } = [];
}
