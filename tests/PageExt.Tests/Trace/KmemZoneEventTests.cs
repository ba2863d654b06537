using PageExt.Buddy;
using PageExt.Physical;
using PageExt.Tests.Buddy;
using PageExt.Zones;

namespace PageExt.Tests.Trace;

/// <summary>The kmem events of the zone-locked paths: each fired where mm/page_alloc.c fires it, with kmem.h's fields.</summary>
public sealed class KmemZoneEventTests
{
    private static TraceText TraceOf(Machine machine)
    {
        var text = new StringWriter { NewLine = "\n" };
        machine.Trace.Write(text);
        return TraceText.Parse(text.ToString());
    }

    [Fact]
    public void A_per_cpu_refill_writes_one_zone_locked_event_per_block_taken_with_percpu_refill_1()
    {
        using var m = TestMachines.Boot(cmdline: "trace_event=kmem:mm_page_alloc_zone_locked");
        Assert.True(m.TryAllocPages(GfpFlags.Kernel, 0, out var pfn));
        var zone = m.Allocator.ZoneOf(pfn)!;

        var events = TraceOf(m).Events;
        Assert.Equal(zone.PcpBatch, events.Count);
        Assert.All(events, e => Assert.Equal(
            ("mm_page_alloc_zone_locked", 0, (int)MigrateType.Unmovable, 1),
            (e.Name, e.Order, e.Migratetype, e.Fields["percpu_refill"])));
        Assert.Contains(events, e => e.Pfn == pfn.Value);
        Assert.Equal(zone.PcpBatch, events.Select(e => e.Pfn).Distinct().Count());
    }

    [Fact]
    public void A_block_above_the_per_cpu_orders_is_traced_with_percpu_refill_0()
    {
        using var m = TestMachines.Boot(cmdline: "trace_event=mm_page_alloc_zone_locked");
        Assert.True(m.TryAllocPages(GfpFlags.HighUserMovable, PageOrder.Costly + 1, out var pfn));

        var e = Assert.Single(TraceOf(m).Events);
        Assert.Equal((pfn.Value, PageOrder.Costly + 1, (int)MigrateType.Movable, 0), (e.Pfn, e.Order, e.Migratetype, e.Fields["percpu_refill"]));
    }

    [Fact]
    public void A_drain_writes_a_pcpu_drain_event_for_every_cached_block_with_its_pageblock_type()
    {
        using var m = TestMachines.Boot(cmdline: "trace_event=kmem:mm_page_pcpu_drain");
        Assert.True(m.TryAllocPages(GfpFlags.HighUserMovable, 1, out var pfn));
        m.FreePages(pfn, 1);
        long cached = m.Allocator.CachedPages;
        Assert.Empty(TraceOf(m).Events);

        m.Allocator.DrainAllPages();

        var events = TraceOf(m).Events;
        Assert.Equal(cached, events.Sum(e => 1L << e.Order));
        Assert.Equal(0, m.Allocator.CachedPages);
        var freed = Assert.Single(events, e => e.Pfn == pfn.Value);
        Assert.Equal(("mm_page_pcpu_drain", 1, (int)m.Allocator.PageblockMigrateType(pfn)), (freed.Name, freed.Order, freed.Migratetype));
        Assert.All(events, e => Assert.Equal((int)m.Allocator.PageblockMigrateType(new Pfn(e.Pfn)), e.Migratetype));
    }

    [Fact]
    public void Frees_past_the_per_cpu_high_mark_drain_batches_with_a_pcpu_drain_event_per_block()
    {
        using var m = TestMachines.Boot(cmdline: "trace_event=mm_page_pcpu_drain");
        var pfns = new List<Pfn>();
        for (int i = 0; i < 4096; i++)
        {
            Assert.True(m.TryAllocPages(GfpFlags.HighUserMovable, 0, out var pfn));
            pfns.Add(pfn);
        }

        long cachedBefore = m.Allocator.CachedPages;
        Assert.Empty(TraceOf(m).Events);
        foreach (var pfn in pfns)
        {
            m.FreePages(pfn, 0);
        }

        var events = TraceOf(m).Events;
        Assert.NotEmpty(events);
        Assert.Equal(cachedBefore + pfns.Count, events.Count + m.Allocator.CachedPages);
        Assert.All(events, e => Assert.Equal((0, (int)MigrateType.Movable), (e.Order, e.Migratetype)));
    }

    [Fact]
    public void A_fallback_that_claims_a_whole_movable_block_for_unmovable_writes_extfrag_with_change_ownership_1()
    {
        using var m = TestMachines.Boot(cmdline: "trace_event=kmem:mm_page_alloc_extfrag");
        Assert.True(m.TryAllocPages(GfpFlags.Kernel, 0, out var pfn));

        var e = Assert.Single(TraceOf(m).Events);
        Assert.Equal("mm_page_alloc_extfrag", e.Name);
        Assert.Equal(MigrateType.Unmovable, m.Allocator.PageblockMigrateType(new Pfn(e.Pfn)));
        Assert.Equal(
            new Dictionary<string, int>
            {
                ["alloc_order"] = 0,
                ["fallback_order"] = PageOrder.Max,
                ["pageblock_order"] = Pageblock.Order,
                ["alloc_migratetype"] = (int)MigrateType.Unmovable,
                ["fallback_migratetype"] = (int)MigrateType.Movable,
                ["fragmenting"] = 0,
                ["change_ownership"] = 1,
            },
            e.Fields);
        Assert.Equal(pfn.Value >> Pageblock.Order, e.Pfn >> Pageblock.Order);
    }

    [Fact]
    public void A_movable_steal_from_an_unmovable_block_writes_extfrag_with_fragmenting_1_and_change_ownership_0()
    {
        using var m = TestMachines.Boot(memoryBytes: 128L << 20, cmdline: "trace_event=mm_page_alloc_extfrag");
        FallbackTests.FillWithUnmovablePageblocks(m, keep: pfnInBlock => pfnInBlock % 4 == 3);
        int before = TraceOf(m).Events.Count;

        Assert.True(m.TryAllocPages(GfpFlags.HighUserMovable, 0, out var pfn));

        var steals = TraceOf(m).Events.Skip(before).ToList();
        Assert.NotEmpty(steals);
        Assert.Contains(steals, e => e.Pfn == pfn.Value);
        Assert.All(steals, e =>
        {
            Assert.Equal((int)MigrateType.Movable, e.Fields["alloc_migratetype"]);
            Assert.Equal((int)MigrateType.Unmovable, e.Fields["fallback_migratetype"]);
            Assert.Equal(1, e.Fields["fragmenting"]);
            Assert.Equal(0, e.Fields["change_ownership"]);
            Assert.Equal(MigrateType.Unmovable, m.Allocator.PageblockMigrateType(new Pfn(e.Pfn)));
        });
    }

    [Fact]
    public void With_every_event_on_the_trace_still_replays_to_the_blocks_held()
    {
        using var m = TestMachines.Boot(memoryBytes: 128L << 20, cmdline: "trace_event=kmem");
        var rng = new Random(1515);
        GfpFlags[] masks = [GfpFlags.Kernel, GfpFlags.HighUserMovable, GfpFlags.Kernel | GfpFlags.Reclaimable];
        var live = m.RunMixedWorkload(rng, steps: 5000, masks, r => r.Next(5));

        m.Allocator.DrainAllPages();
        var trace = TraceOf(m);
        Assert.Equal(
            ["mm_page_alloc", "mm_page_alloc_extfrag", "mm_page_alloc_zone_locked", "mm_page_free", "mm_page_pcpu_drain"],
            trace.Events.Select(e => e.Name).Distinct().Order(StringComparer.Ordinal));
        Assert.Equal(live.Select(l => (l.Pfn.Value, l.Order)).Order(), trace.Replay().Select(h => (h.Key, h.Value.Order)));
    }
}
