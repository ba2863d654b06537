namespace PageExt.Analysis.Proc;

/// <summary>
/// What /proc/buddyinfo or /proc/pagetypeinfo says: free blocks per order in every zone (pagetypeinfo's
/// per-type counts summed, which is buddyinfo), pageblock_order, and pagetypeinfo's pageblocks per
/// migrate type. The report draws the first as the live machine's buddyinfo chart (the readers
/// here know nothing of pictures: the report depends on them, not the other way).
/// </summary>
internal sealed record ProcFreeAreas(int PageblockOrder, IReadOnlyList<ProcFreeZone> Zones, IReadOnlyList<ProcBlockCount> BlockCounts);

/// <summary>One zone's line of /proc/buddyinfo (or pagetypeinfo's rows of the zone, summed): free blocks per order.</summary>
internal sealed record ProcFreeZone(int Node, string Name, IReadOnlyList<long> FreeBlocksPerOrder);

/// <summary>pagetypeinfo's "Number of blocks type" (or "Number of mixed blocks") cell: pageblocks of one type in one zone.</summary>
internal sealed record ProcBlockCount(int Node, string Zone, string Type, long Blocks, bool Mixed);
