using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using PageExt.Buddy;
using PageExt.Metrics;

namespace PageExt.Tests.Metrics;

/// <summary>The PageExt Meter read by a real MeterListener (what OpenTelemetry's AddMeter("PageExt") uses).</summary>
public sealed class MeterTests
{
    [Fact]
    public void Allocations_frees_and_pages_equal_the_operations_done()
    {
        using var m = TestMachines.Boot();
        MetricsWorkload.Pairs(m, 1000, 0);
        MetricsWorkload.Pairs(m, 10, 3);
        MetricsWorkload.Pairs(m, 2, 10);

        var seen = Collect(m.Id);
        Assert.Equal(1012, seen.Single(PageExtMetrics.Allocations));
        Assert.Equal(1012, seen.Single(PageExtMetrics.Frees));
        long pages = 1000 + (10 * 8) + (2 * 1024);
        Assert.Equal(pages, seen.Single(PageExtMetrics.PagesAllocated, (PageExtMetrics.ZoneTag, "DMA32")));
        Assert.Equal(0, seen.Single(PageExtMetrics.PagesAllocated, (PageExtMetrics.ZoneTag, "DMA")));
        Assert.Equal(pages, seen.Single(PageExtMetrics.PagesFreed));
        Assert.Equal(0, seen.Single(PageExtMetrics.AllocationFailures));
    }

    [Fact]
    public void Free_pages_are_reported_for_every_populated_zone_with_its_node_and_name()
    {
        using var m = TestMachines.Boot(memoryBytes: 512L << 20, nodes: 2);
        Assert.True(m.TryAllocPages(GfpFlags.Kernel, 10, out var held));
        m.Allocator.DrainAllPages();

        var seen = Collect(m.Id);
        var zones = m.PopulatedZones.ToList();
        Assert.Equal(zones.Count, seen.All(PageExtMetrics.FreePages).Count);
        foreach (var zone in zones)
        {
            Assert.Equal(zone.FreePages, seen.Single(PageExtMetrics.FreePages, (PageExtMetrics.NodeTag, zone.Node), (PageExtMetrics.ZoneTag, zone.Name)));
        }

        m.FreePages(held, 10);
    }

    [Fact]
    public void Failed_allocations_are_counted_when_a_zone_is_exhausted()
    {
        using var m = TestMachines.Boot();
        int allocated = MetricsWorkload.ExhaustDma(m, failures: 3);

        var seen = Collect(m.Id);
        Assert.Equal(3, seen.Single(PageExtMetrics.AllocationFailures));
        Assert.Equal(allocated, seen.Single(PageExtMetrics.Allocations));
        Assert.Equal(allocated, seen.Single(PageExtMetrics.PagesAllocated, (PageExtMetrics.ZoneTag, "DMA")));
    }

    [Fact]
    public void A_bad_page_report_is_counted()
    {
        using var m = TestMachines.Boot();
        MetricsWorkload.DoubleFree(m);

        var seen = Collect(m.Id);
        Assert.Equal(1, seen.Single(PageExtMetrics.BadPageReports));
        Assert.Equal(1, seen.Single(PageExtMetrics.Frees));
    }

    [Fact]
    public void A_poison_corruption_is_counted()
    {
        using var m = TestMachines.Boot(cmdline: "page_poison=1");
        MetricsWorkload.WriteAfterFree(m);

        var seen = Collect(m.Id);
        Assert.Equal(1, seen.Single(PageExtMetrics.PoisonCorruptions));
        Assert.Equal(0, seen.Single(PageExtMetrics.BadPageReports));
    }

    [Fact]
    public void Stack_depot_stacks_and_bytes_are_page_owners_depot()
    {
        using var m = TestMachines.Boot(cmdline: "page_owner=on");
        MetricsWorkload.Pairs(m, 10, 0);

        var seen = Collect(m.Id);
        var stats = m.PageOwner.Depot!.GetStats();
        Assert.True(stats.Records > 2);
        Assert.Equal(stats.Records, seen.Single(PageExtMetrics.StackDepotStacks));
        Assert.Equal(stats.Bytes, seen.Single(PageExtMetrics.StackDepotBytes));
    }

    [Fact]
    public void Without_page_owner_there_is_no_stack_depot_measurement()
    {
        using var m = TestMachines.Boot();
        var seen = Collect(m.Id);
        Assert.Empty(seen.All(PageExtMetrics.StackDepotStacks));
        Assert.Empty(seen.All(PageExtMetrics.StackDepotBytes));
    }

    [Fact]
    public void Two_machines_are_reported_apart_by_their_machine_tag()
    {
        using var first = TestMachines.Boot();
        using var second = TestMachines.Boot();
        MetricsWorkload.Pairs(first, 5, 0);
        MetricsWorkload.Pairs(second, 7, 0);

        Assert.NotEqual(first.Id, second.Id);
        Assert.Equal(5, Collect(first.Id).Single(PageExtMetrics.Allocations));
        Assert.Equal(7, Collect(second.Id).Single(PageExtMetrics.Allocations));
    }

    [Fact]
    public void A_disposed_machine_is_no_longer_reported()
    {
        var m = TestMachines.Boot();
        MetricsWorkload.Pairs(m, 5, 0);
        Assert.Equal(5, Collect(m.Id).Single(PageExtMetrics.Allocations));

        m.Dispose();
        Assert.Empty(Collect(m.Id).Values);
    }

    /// <summary>Every PageExt measurement of one collection that carries machine <paramref name="machineId"/>'s tag.</summary>
    private static Measurements Collect(long machineId)
    {
        var seen = new Measurements();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == PageExtMetrics.Name)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            var tagList = tags.ToArray();
            if (tagList.Any(t => t.Key == PageExtMetrics.MachineTag && Equals(t.Value, machineId)))
            {
                seen.Values.Add((instrument.Name, tagList, value));
            }
        });
        listener.Start();
        listener.RecordObservableInstruments();
        return seen;
    }

    private sealed class Measurements
    {
        public ConcurrentBag<(string Instrument, KeyValuePair<string, object?>[] Tags, long Value)> Values { get; } = [];

        public List<long> All(string instrument) => [.. Values.Where(v => v.Instrument == instrument).Select(v => v.Value)];

        /// <summary>The one measurement of <paramref name="instrument"/> whose tags include every one given.</summary>
        public long Single(string instrument, params (string Key, object Value)[] tags)
        {
            var matches = Values.Where(v => v.Instrument == instrument
                && tags.All(t => v.Tags.Any(k => k.Key == t.Key && Equals(k.Value, t.Value)))).ToList();
            Assert.True(matches.Count == 1, $"{instrument} {string.Join(",", tags)}: {matches.Count} measurements");
            return matches[0].Value;
        }
    }
}
