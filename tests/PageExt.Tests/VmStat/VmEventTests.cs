using PageExt.Buddy;
using PageExt.Physical;
using PageExt.VmStat;

namespace PageExt.Tests.VmStat;

public class VmEventTests
{
    [Fact]
    public void A_fresh_machine_has_counted_nothing()
    {
        using var m = TestMachines.Boot();
        Assert.Equal(default, m.Allocator.VmEvents);
    }

    [Fact]
    public void Cached_order_0_pairs_count_one_call_and_one_page_each_way()
    {
        using var m = TestMachines.Boot();
        for (int i = 0; i < 1000; i++)
        {
            Assert.True(m.TryAllocPages(GfpFlags.Kernel, 0, out var pfn));
            m.FreePages(pfn, 0);
        }

        var events = m.Allocator.VmEvents;
        Assert.Equal(1000, events.AllocCalls);
        Assert.Equal(1000, events.FreeCalls);
        Assert.Equal(1000, events.PgAlloc);
        Assert.Equal(1000, events.PgFree);
    }

    [Fact]
    public void Pages_are_counted_by_order_on_the_cached_and_the_zone_paths_alike()
    {
        using var m = TestMachines.Boot();
        long pages = 0;
        var held = new List<(Pfn Pfn, int Order)>();
        for (int order = 0; order <= PageOrder.Max; order++)
        {
            Assert.True(m.TryAllocPages(GfpFlags.Kernel, order, out var pfn));
            held.Add((pfn, order));
            pages += 1L << order;
        }

        held.ForEach(h => m.FreePages(h.Pfn, h.Order));
        var events = m.Allocator.VmEvents;
        Assert.Equal(held.Count, events.AllocCalls);
        Assert.Equal(held.Count, events.FreeCalls);
        Assert.Equal(pages, events.PgAlloc);
        Assert.Equal(pages, events.PgFree);
    }

    [Fact]
    public void Pgalloc_is_counted_by_the_zone_the_block_came_from()
    {
        // 256 MiB: DMA and DMA32 only, so GFP_KERNEL falls to DMA32 and GFP_DMA takes DMA.
        using var m = TestMachines.Boot();
        Assert.True(m.TryAllocPages(GfpFlags.Kernel, 1, out var dma32));
        Assert.True(m.TryAllocPages(GfpFlags.Kernel | GfpFlags.Dma, 2, out var dma));
        var events = m.Allocator.VmEvents;
        Assert.Equal(2, events.PgAllocDma32);
        Assert.Equal(4, events.PgAllocDma);
        Assert.Equal(0, events.PgAllocNormal + events.PgAllocMovable);
        m.FreePages(dma32, 1);
        m.FreePages(dma, 2);
    }

    [Fact]
    public void Pgalloc_movable_counts_blocks_from_zone_movable()
    {
        using var m = TestMachines.Boot(memoryBytes: 512L << 20, cmdline: "movablecore=128M");
        Assert.True(m.TryAllocPages(GfpFlags.HighUserMovable, 0, out var pfn));
        Assert.Equal(1, m.Allocator.VmEvents.PgAllocMovable);
        m.FreePages(pfn, 0);
    }

    [Fact]
    public void Bad_frees_are_not_counted_as_frees()
    {
        using var m = TestMachines.Boot();
        var reports = m.CaptureBadPages();
        Assert.True(m.TryAllocPages(GfpFlags.Kernel, 0, out var pfn));
        m.FreePages(pfn, 0);
        m.FreePages(pfn, 0);
        m.FreePages(new Pfn(ulong.MaxValue >> 1), 0);
        Assert.Equal(2, reports.Count);
        Assert.Equal(1, m.Allocator.VmEvents.FreeCalls);
        Assert.Equal(1, m.Allocator.VmEvents.PgFree);
    }

    [Fact]
    public void Failed_allocations_are_counted_and_not_as_allocations()
    {
        using var m = TestMachines.Boot(memoryBytes: 64L << 20);
        int allocated = 0;
        while (m.TryAllocPages(GfpFlags.Kernel | GfpFlags.NoWarn, 4, out _))
        {
            allocated++;
        }

        Assert.False(m.TryAllocPages(GfpFlags.Kernel | GfpFlags.NoWarn, 4, out _));
        var events = m.Allocator.VmEvents;
        Assert.Equal(2, events.AllocFailures);
        Assert.Equal(allocated, events.AllocCalls);
        Assert.Equal(allocated * 16L, events.PgAlloc);
    }

    [Fact]
    public void Counts_of_every_thread_are_summed()
    {
        using var m = TestMachines.Boot();
        const int threads = 4, pairs = 5000;
        TestThreads.RunAndAssert(threads, t =>
        {
            for (int i = 0; i < pairs; i++)
            {
                if (!m.TryAllocPages(GfpFlags.Kernel, i % 4, out var pfn))
                {
                    throw new InvalidOperationException($"thread {t}: allocation {i} failed");
                }

                m.FreePages(pfn, i % 4);
            }
        });

        long pagesPerThread = Enumerable.Range(0, pairs).Sum(i => 1L << (i % 4));
        var events = m.Allocator.VmEvents;
        Assert.Equal(threads * pairs, events.AllocCalls);
        Assert.Equal(threads * pairs, events.FreeCalls);
        Assert.Equal(threads * pagesPerThread, events.PgAlloc);
        Assert.Equal(threads * pagesPerThread, events.PgFree);
    }

    [Fact]
    public void Counts_of_an_exited_thread_survive_its_cache_being_dropped()
    {
        using var m = TestMachines.Boot();
        int before = m.Allocator.CacheCount;
        TestThreads.RunAndAssert(1, _ =>
        {
            for (int i = 0; i < 100; i++)
            {
                if (!m.TryAllocPages(GfpFlags.Kernel, 0, out var pfn))
                {
                    throw new InvalidOperationException($"allocation {i} failed");
                }

                m.FreePages(pfn, 0);
            }
        });

        for (int i = 0; i < 10 && m.Allocator.CacheCount > before; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            m.Allocator.DrainAllPages();
        }

        Assert.Equal(before, m.Allocator.CacheCount);
        Assert.Equal(100, m.Allocator.VmEvents.AllocCalls);
        Assert.Equal(100, m.Allocator.VmEvents.PgFree);
    }

    [Fact]
    public void Reading_the_events_of_a_disposed_machine_throws()
    {
        var m = TestMachines.Boot();
        var allocator = m.Allocator;
        m.Dispose();
        Assert.Throws<ObjectDisposedException>(() => allocator.VmEvents);
    }
}
