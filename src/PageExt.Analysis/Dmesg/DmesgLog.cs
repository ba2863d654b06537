namespace PageExt.Analysis.Dmesg;

/// <summary>What a kernel log says about page ownership: its page reports, and the other lines page_ext and page_owner print.</summary>
internal sealed class DmesgLog
{
    public List<OwnerReport> Reports { get; } = [];

    /// <summary>Boot lines of page_ext and page_owner, and allocation failures, in line order.</summary>
    public List<LogFact> Facts { get; } = [];

    /// <summary>The reports that carry page_owner's allocation line: the ones that become records.</summary>
    public IEnumerable<OwnerReport> WithOwner => Reports.Where(r => r.Alloc is not null);

    /// <summary>True when the log holds nothing this reader knows.</summary>
    public bool IsEmpty => Reports.Count == 0 && Facts.Count == 0;
}

/// <summary>A line about page_ext or page_owner that is not a page report: what it is, and its text without the log prefix.</summary>
internal sealed record LogFact(long Line, LogFactKind Kind, string Text);

internal enum LogFactKind
{
    /// <summary>"allocated %lu bytes of page_ext" (page_ext_init).</summary>
    PageExtAllocated,

    /// <summary>"Node %d, zone %8s: page owner found early allocated %lu pages" (init_early_allocated_pages).</summary>
    EarlyAllocated,

    /// <summary>"%s: page allocation failure: order:%u, mode:%#x(%pGg)..." (warn_alloc).</summary>
    AllocationFailure,
}
