namespace PageExt.Analysis.Proc;

/// <summary>
/// One zone of /proc/zoneinfo (mm/vmstat.c zoneinfo_show_print) in any generation: the free pages
/// against the watermarks, the zone's sizes, lowmem_reserve ("protection") and the per-CPU
/// pagesets. A field the zone's kernel did not print is null (managed came in 3.8, boost in 5.0,
/// cma in 5.9, promo in 6.3); an unpopulated zone stops after "protection:".
/// </summary>
internal sealed class ProcZoneInfo
{
    /// <summary>The 1-based line of the zone's "Node N, zone NAME" header.</summary>
    public required long Line { get; init; }

    public required int Node { get; init; }

    public required string Name { get; init; }

    /// <summary>"pages free": NR_FREE_PAGES, the pages on the buddy free lists (per-CPU pages are not free).</summary>
    public long? Free { get; set; }

    /// <summary>watermark_boost (v5.0+).</summary>
    public long? Boost { get; set; }

    public long? Min { get; set; }

    public long? Low { get; set; }

    public long? High { get; set; }

    /// <summary>The promotion watermark of memory tiering (v6.3+).</summary>
    public long? Promo { get; set; }

    public long? Spanned { get; set; }

    public long? Present { get; set; }

    /// <summary>Pages the buddy allocator manages (v3.8+); present minus what boot kept.</summary>
    public long? Managed { get; set; }

    /// <summary>CMA pages of the zone (v5.9+).</summary>
    public long? Cma { get; set; }

    /// <summary>lowmem_reserve[]: pages kept back from allocations that could have used a higher zone, one per zone type.</summary>
    public IReadOnlyList<long> Protection { get; set; } = [];

    /// <summary>"start_pfn:", the zone's first page frame.</summary>
    public long? StartPfn { get; set; }

    /// <summary>"node_unreclaimable:" (v4.8+) or the older "all_unreclaimable:".</summary>
    public bool? Unreclaimable { get; set; }

    /// <summary>The per-CPU pagesets (2.6.18 printed two per CPU, hot and cold: <see cref="ProcPageset.List"/>).</summary>
    public List<ProcPageset> Pagesets { get; } = [];

    /// <summary>The zone's vm_stat counters (nr_free_pages, numa_hit ...), by name, as printed.</summary>
    public Dictionary<string, long> Counters { get; } = new(StringComparer.Ordinal);

    /// <summary>The node's counters, printed under the node's first populated zone only (v4.8+), else empty.</summary>
    public Dictionary<string, long> NodeCounters { get; } = new(StringComparer.Ordinal);
}

/// <summary>One CPU's per-CPU page list of a zone: pages held now, the high mark that drains it and the batch it moves.</summary>
internal sealed record ProcPageset(int Cpu, int List, long Count, long High, long Batch)
{
    /// <summary>high_min and high_max (v6.7+): the range the high mark is tuned within.</summary>
    public long? HighMin { get; init; }

    public long? HighMax { get; init; }
}
