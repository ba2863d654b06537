using PageExt.Buddy;
using PageExt.Metrics;
using PageExt.Zones;

namespace PageExt.Tests.Metrics;

/// <summary>
/// The PageExt EventSource's counters read by a real EventListener. They are process totals, so
/// these tests run alone: a machine another test used meanwhile would count in them.
/// </summary>
[Collection(ProcessWideCollection.Name)]
public sealed class EventSourceTests
{
    [Fact]
    public void Rates_add_up_to_the_operations_done()
    {
        using var m = TestMachines.Boot(cmdline: "page_poison=1");
        using var listener = new CounterListener();
        string[] rates = ["page-allocations", "page-frees", "pgalloc", "pgfree", "page-allocation-failures", "bad-page-reports", "poison-corruptions"];
        var skip = rates.ToDictionary(r => r, r => listener.WaitBeyond(r, 0));

        MetricsWorkload.Pairs(m, 1000, 0);
        MetricsWorkload.Pairs(m, 4, 10);
        int dma = MetricsWorkload.ExhaustDma(m, failures: 2);
        MetricsWorkload.DoubleFree(m);
        MetricsWorkload.WriteAfterFree(m);
        // Exhausting DMA allocates dma pages and fails twice; the double free frees once and is
        // reported once; the write after free allocates and frees twice and is found once.
        var expected = new Dictionary<string, double>
        {
            ["page-allocations"] = 1000 + 4 + dma + 1 + 2,
            ["page-frees"] = 1000 + 4 + 1 + 2,
            ["pgalloc"] = 1000 + (4 * 1024) + dma + 1 + 2,
            ["pgfree"] = 1000 + (4 * 1024) + 1 + 2,
            ["page-allocation-failures"] = 2,
            ["bad-page-reports"] = 1,
            ["poison-corruptions"] = 1,
        };

        foreach (var (name, want) in expected)
        {
            double got = WaitForSum(listener, name, skip[name], want);
            Assert.True(want == got, $"{name}: expected {want}, the listener summed {got}");
        }
    }

    [Fact]
    public void Free_pages_per_node_and_zone_follow_the_zones()
    {
        using var m = TestMachines.Boot();
        using var listener = new CounterListener();
        string name = PageExtEventSource.ZoneCounterName(0, ZoneType.Dma32);
        int seen = listener.WaitBeyond(name, 0);
        double before = listener.LatestMean(name);

        // Order 10 comes straight from the buddy lists: exactly 1024 pages leave DMA32's free count.
        Assert.True(m.TryAllocPages(GfpFlags.Kernel, 10, out var block));
        listener.WaitBeyond(name, seen);
        double after = listener.LatestMean(name);
        m.FreePages(block, 10);

        Assert.Equal(1024, before - after);
        Assert.Contains(PageExtEventSource.ZoneCounterName(0, ZoneType.Dma), listener.Names());
    }

    [Fact]
    public void Stack_depot_counters_follow_page_owners_depot()
    {
        using var m = TestMachines.Boot(cmdline: "page_owner=on");
        using var listener = new CounterListener();
        int seen = listener.WaitBeyond("stack-depot-stacks", 0);
        double stacksBefore = listener.LatestMean("stack-depot-stacks");
        var depotBefore = m.PageOwner.Depot!.GetStats();

        MetricsWorkload.Pairs(m, 10, 0);
        var depotAfter = m.PageOwner.Depot!.GetStats();
        listener.WaitBeyond("stack-depot-stacks", seen);
        listener.WaitBeyond("stack-depot-bytes", listener.Count("stack-depot-bytes"));

        Assert.True(depotAfter.Records > depotBefore.Records);
        Assert.Equal(depotAfter.Records - depotBefore.Records, listener.LatestMean("stack-depot-stacks") - stacksBefore);
        Assert.True(listener.LatestMean("stack-depot-bytes") >= depotAfter.Bytes);
    }

    [Fact]
    public void A_disposed_machine_keeps_its_counts_in_the_process_totals()
    {
        using var listener = new CounterListener();
        int skip = listener.WaitBeyond("page-allocations", 0);
        var m = TestMachines.Boot();
        MetricsWorkload.Pairs(m, 300, 0);
        m.Dispose();
        using var next = TestMachines.Boot();
        MetricsWorkload.Pairs(next, 200, 0);

        // A disposed machine leaving the totals would show as a negative increment.
        Assert.Equal(500, WaitForSum(listener, "page-allocations", skip, 500));
    }

    /// <summary>Sum a rate's increments until they reach <paramref name="want"/> (or 30 s pass), then over one more interval, so that an overshoot shows.</summary>
    private static double WaitForSum(CounterListener listener, string name, int skip, double want)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (listener.IncrementsAfter(name, skip) < want && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(20);
        }

        listener.WaitBeyond(name, listener.Count(name));
        return listener.IncrementsAfter(name, skip);
    }
}
