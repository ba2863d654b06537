using System.Diagnostics.Metrics;
using PageExt.Zones;

namespace PageExt.Metrics;

/// <summary>
/// The <c>PageExt</c> Meter: observable instruments only, read when a listener collects, so that
/// the allocator's paths pay nothing for them (the counts themselves are the per-thread vm
/// events). Every measurement is tagged with its machine; <see cref="PageExtMetrics"/> names them.
/// Created with the first machine's boot and never disposed, as a static Meter is.
/// </summary>
internal static class PageExtMeter
{
    private static readonly Meter s_meter = new(PageExtMetrics.Name, typeof(PageExtMeter).Assembly.GetName().Version?.ToString());

    static PageExtMeter()
    {
        s_meter.CreateObservableGauge(PageExtMetrics.FreePages, ObserveFreePages, "{page}", "Free pages per zone (NR_FREE_PAGES)");
        s_meter.CreateObservableCounter(PageExtMetrics.Allocations, () => PerMachine(c => c.Events.AllocCalls), "{allocation}", "Allocation calls that returned a block");
        s_meter.CreateObservableCounter(PageExtMetrics.Frees, () => PerMachine(c => c.Events.FreeCalls), "{free}", "Free calls that gave a block back");
        s_meter.CreateObservableCounter(PageExtMetrics.PagesAllocated, ObservePgAlloc, "{page}", "Pages allocated, by zone (pgalloc_<zone>)");
        s_meter.CreateObservableCounter(PageExtMetrics.PagesFreed, () => PerMachine(c => c.Events.PgFree), "{page}", "Pages freed (pgfree)");
        s_meter.CreateObservableCounter(PageExtMetrics.AllocationFailures, () => PerMachine(c => c.Events.AllocFailures), "{allocation}", "Allocation calls that returned no block");
        s_meter.CreateObservableUpDownCounter(PageExtMetrics.StackDepotStacks, () => PerDepot(s => s.Records), "{stack}", "Records in page_owner's stack depot");
        s_meter.CreateObservableUpDownCounter(PageExtMetrics.StackDepotBytes, () => PerDepot(s => s.Bytes), "By", "Bytes page_owner's stack depot records take");
        s_meter.CreateObservableCounter(PageExtMetrics.BadPageReports, () => PerMachine(c => c.BadPageReports), "{report}", "Bad-page reports");
        s_meter.CreateObservableCounter(PageExtMetrics.PoisonCorruptions, () => PerMachine(c => c.PoisonCorruptions), "{page}", "Poisoned pages found written after their free");
    }

    /// <summary>Runs the static constructor, which publishes the Meter to listeners.</summary>
    public static void EnsureCreated()
    {
    }

    private static KeyValuePair<string, object?> MachineTag(MachineCounters counters) => new(PageExtMetrics.MachineTag, counters.Id);

    private static IEnumerable<Measurement<long>> PerMachine(Func<MachineCounters, long> read)
    {
        foreach (var counters in MachineRegistry.Live())
        {
            yield return new Measurement<long>(read(counters), MachineTag(counters));
        }
    }

    private static IEnumerable<Measurement<long>> PerDepot(Func<Stacks.StackDepotStats, long> read)
    {
        foreach (var counters in MachineRegistry.Live())
        {
            if (counters.Depot is { } stats)
            {
                yield return new Measurement<long>(read(stats), MachineTag(counters));
            }
        }
    }

    private static IEnumerable<Measurement<long>> ObserveFreePages()
    {
        foreach (var counters in MachineRegistry.Live())
        {
            foreach (var zone in counters.Zones)
            {
                if (zone.IsPopulated)
                {
                    yield return new Measurement<long>(zone.FreePages, MachineTag(counters),
                        new(PageExtMetrics.NodeTag, zone.Node), new(PageExtMetrics.ZoneTag, zone.Name));
                }
            }
        }
    }

    private static IEnumerable<Measurement<long>> ObservePgAlloc()
    {
        foreach (var counters in MachineRegistry.Live())
        {
            var events = counters.Events;
            long[] byType = [events.PgAllocDma, events.PgAllocDma32, events.PgAllocNormal, events.PgAllocMovable];
            for (int type = 0; type < ZoneTypes.Count; type++)
            {
                if (byType[type] != 0 || HasPopulated(counters.Zones, (ZoneType)type))
                {
                    yield return new Measurement<long>(byType[type], MachineTag(counters), new(PageExtMetrics.ZoneTag, ZoneTypes.Name((ZoneType)type)));
                }
            }
        }
    }

    private static bool HasPopulated(Zone[] zones, ZoneType type)
    {
        foreach (var zone in zones)
        {
            if (zone.Type == type && zone.IsPopulated)
            {
                return true;
            }
        }

        return false;
    }
}
