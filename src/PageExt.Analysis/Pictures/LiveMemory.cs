namespace PageExt.Analysis.Pictures;

/// <summary>
/// What only a running machine knows, handed to the report by whoever holds the machine (the CLI
/// copies it from the library's views): every pageblock, free ones too, buddyinfo and zoneinfo. A dump
/// shows only allocated pages.
/// </summary>
internal sealed record LiveMemory(int PageblockOrder, IReadOnlyList<LiveZone> Zones, IReadOnlyList<LivePageblock> Pageblocks)
{
    /// <summary>The machine's /proc/zoneinfo, read back through the file's reader: free pages against the watermarks.</summary>
    public IReadOnlyList<Proc.ProcZoneInfo> ZoneInfo { get; init; } = [];
}

/// <summary>One line of /proc/buddyinfo: free blocks per order.</summary>
internal sealed record LiveZone(int Node, string Name, IReadOnlyList<long> FreeBlocksPerOrder);

/// <summary>One pageblock: <paramref name="Mixed"/> as pagetypeinfo counts it (null without page_owner).</summary>
internal sealed record LivePageblock(int Node, string Zone, ulong StartPfn, int Pages, int FreePages, string Type, bool? Mixed);
