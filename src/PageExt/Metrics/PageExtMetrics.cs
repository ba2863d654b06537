namespace PageExt.Metrics;

/// <summary>
/// The names under which PageExt reports its counters, for a listener to subscribe with:
/// <c>dotnet-counters monitor --counters PageExt</c>, OpenTelemetry's <c>AddMeter("PageExt")</c>,
/// a <see cref="System.Diagnostics.Metrics.MeterListener"/> or an
/// <see cref="System.Diagnostics.Tracing.EventListener"/>.
/// <para>
/// Two views of the same counters. The Meter reports every machine separately, tagged with its
/// <see cref="Machine.Id"/> (and zones with their node and zone), and stops reporting a machine
/// once it is disposed. The EventSource's counters, which cannot carry tags, are process totals:
/// free pages summed per node and zone over the live machines, and rates over every machine ever
/// booted (a disposed machine's last counts are kept, so no rate ever goes negative).
/// </para>
/// </summary>
public static class PageExtMetrics
{
    /// <summary>The Meter's name and the EventSource's.</summary>
    public const string Name = "PageExt";

    /// <summary>Tag: the machine's <see cref="Machine.Id"/>.</summary>
    public const string MachineTag = "pageext.machine";

    /// <summary>Tag: the NUMA node of a zone.</summary>
    public const string NodeTag = "pageext.node";

    /// <summary>Tag: the zone's name as /proc/zoneinfo prints it (DMA, DMA32, Normal, Movable).</summary>
    public const string ZoneTag = "pageext.zone";

    /// <summary>Gauge, pages: free pages per zone (/proc/zoneinfo "pages free", NR_FREE_PAGES; per-CPU cached pages are not free).</summary>
    public const string FreePages = "pageext.zone.free_pages";

    /// <summary>Counter: allocation calls that returned a block.</summary>
    public const string Allocations = "pageext.page.allocations";

    /// <summary>Counter: free calls that gave a block back.</summary>
    public const string Frees = "pageext.page.frees";

    /// <summary>Counter, pages, by zone: /proc/vmstat's pgalloc_&lt;zone&gt;.</summary>
    public const string PagesAllocated = "pageext.page.pgalloc";

    /// <summary>Counter, pages: /proc/vmstat's pgfree.</summary>
    public const string PagesFreed = "pageext.page.pgfree";

    /// <summary>Counter: allocation calls that returned no block.</summary>
    public const string AllocationFailures = "pageext.page.allocation_failures";

    /// <summary>Up-down counter: records in page_owner's stack depot (persistent_count); page_owner on only.</summary>
    public const string StackDepotStacks = "pageext.page_owner.stack_depot.stacks";

    /// <summary>Up-down counter, bytes: pool bytes the depot's records take (persistent_bytes); page_owner on only.</summary>
    public const string StackDepotBytes = "pageext.page_owner.stack_depot.bytes";

    /// <summary>Counter: bad-page reports (double frees, frees of pages never allocated, ...).</summary>
    public const string BadPageReports = "pageext.bad_page.reports";

    /// <summary>Counter: pages page_poison found written after they were freed.</summary>
    public const string PoisonCorruptions = "pageext.page_poison.corruptions";
}
