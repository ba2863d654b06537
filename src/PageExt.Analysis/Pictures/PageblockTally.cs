namespace PageExt.Analysis.Pictures;

/// <summary>What a dump says about one pageblock: its type, the pages its records cover, whether any of them is a fallback, and who owns them.</summary>
internal sealed class PageblockTally
{
    /// <summary>The block type as printed, from the last record whose head page is in the block; null when only a larger allocation's tail reaches it.</summary>
    public string? Type { get; set; }

    /// <summary>Pages of records that lie in this block (a record of an order above pageblock_order spreads over several).</summary>
    public long Pages { get; set; }

    /// <summary>Records whose head page is in the block.</summary>
    public long Records { get; set; }

    /// <summary>A record with its head in the block is a fallback: pagetypeinfo's mixed block.</summary>
    public bool Mixed { get; set; }

    /// <summary>Pages per owner, by tgid (pid when the dump has no tgid).</summary>
    public Dictionary<int, long> Owners { get; } = [];

    public void MergeFrom(PageblockTally other)
    {
        Type = other.Type ?? Type;
        Pages += other.Pages;
        Records += other.Records;
        Mixed |= other.Mixed;
        foreach (var (owner, pages) in other.Owners)
        {
            Owners[owner] = Owners.GetValueOrDefault(owner) + pages;
        }
    }
}
