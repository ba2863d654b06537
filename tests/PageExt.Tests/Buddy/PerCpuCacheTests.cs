using System.Runtime.CompilerServices;
using PageExt.Buddy;
using PageExt.Physical;
using PageExt.Zones;

namespace PageExt.Tests.Buddy;

/// <summary>Per-CPU lists belong to threads; other threads can see and empty them.</summary>
public class PerCpuCacheTests
{
    [Fact]
    public void Small_frees_stay_in_the_thread_cache_until_drained()
    {
        using var m = TestMachines.Boot();
        m.Allocator.DrainAllPages();
        long free = m.FreePagesTotal();
        Assert.True(m.TryAllocPages(GfpFlags.Kernel, 0, out var pfn));
        m.FreePages(pfn, 0);
        Assert.True(m.Allocator.CachedPages > 0);
        Assert.True(m.FreePagesTotal() < free);
        m.Allocator.DrainAllPages();
        Assert.Equal(0, m.Allocator.CachedPages);
        Assert.Equal(free, m.FreePagesTotal());
        m.AssertConsistent();
    }

    [Fact]
    public void Another_thread_drains_a_cache_and_the_owner_keeps_working()
    {
        using var m = TestMachines.Boot();
        using var go = new ManualResetEventSlim();
        using var drained = new ManualResetEventSlim();
        bool before = false, after = false;
        Exception? thrown = null;
        var owner = new Thread(() =>
        {
            try
            {
                before = m.TryAllocPages(GfpFlags.Kernel, 0, out var a);
                m.FreePages(a, 0);
            }
            catch (Exception e)
            {
                thrown = e;
            }
            finally
            {
                go.Set();
            }

            drained.Wait();
            try
            {
                after = m.TryAllocPages(GfpFlags.Kernel, 0, out var b);
                m.FreePages(b, 0);
            }
            catch (Exception e)
            {
                thrown ??= e;
            }
        });
        owner.Start();
        go.Wait();
        long cached = m.Allocator.CachedPages;
        m.Allocator.DrainAllPages();
        long afterDrain = m.Allocator.CachedPages;
        drained.Set();
        owner.Join();
        Assert.Null(thrown);
        Assert.True(before && after);
        Assert.True(cached > 0);
        Assert.Equal(0, afterDrain);
        m.AssertConsistent();
    }

    [Fact]
    public void The_cache_of_an_exited_thread_is_emptied_and_dropped()
    {
        using var m = TestMachines.Boot();
        m.Allocator.DrainAllPages();
        long free = m.FreePagesTotal();
        int before = m.Allocator.CacheCount;
        RunAndExit(m);
        Assert.Equal(before + 1, m.Allocator.CacheCount);
        for (int i = 0; i < 10 && m.Allocator.CacheCount > before; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            m.Allocator.DrainAllPages();
        }

        Assert.Equal(before, m.Allocator.CacheCount);
        Assert.Equal(free, m.FreePagesTotal());
        m.AssertConsistent();
    }

    [Fact]
    public void One_thread_keeps_separate_caches_for_two_machines()
    {
        using var first = TestMachines.Boot();
        using var second = TestMachines.Boot();
        first.Allocator.DrainAllPages();
        second.Allocator.DrainAllPages();
        for (int i = 0; i < 8; i++)
        {
            var machine = i % 2 == 0 ? first : second;
            Assert.True(machine.TryAllocPages(GfpFlags.Kernel, 0, out var pfn));
            machine.FreePages(pfn, 0);
        }

        Assert.True(first.Allocator.CachedPages > 0);
        Assert.True(second.Allocator.CachedPages > 0);
        first.Allocator.DrainAllPages();
        Assert.Equal(0, first.Allocator.CachedPages);
        Assert.True(second.Allocator.CachedPages > 0);
        first.AssertConsistent();
        second.AssertConsistent();
    }

    [Fact]
    public void A_disposed_machine_refuses_allocations_and_frees_and_the_thread_moves_on()
    {
        var gone = TestMachines.Boot();
        Assert.True(gone.TryAllocPages(GfpFlags.Kernel, 0, out var small));
        Assert.True(gone.TryAllocPages(GfpFlags.Kernel, 5, out var large));
        gone.FreePages(small, 0);
        gone.Dispose();

        Assert.Throws<ObjectDisposedException>(() => gone.TryAllocPages(GfpFlags.Kernel, 0, out _));
        Assert.Throws<ObjectDisposedException>(() => gone.TryAllocPages(GfpFlags.Kernel, 5, out _));
        Assert.Throws<ObjectDisposedException>(() => gone.FreePages(large, 5));
        Assert.Throws<ObjectDisposedException>(() => gone.FreePages(small, 0));

        // The thread's cache pointer still names the dead machine's block; a new machine must not match it.
        using var next = TestMachines.Boot();
        Assert.True(next.TryAllocPages(GfpFlags.Kernel, 0, out var pfn));
        next.FreePages(pfn, 0);
        Assert.True(next.Allocator.CachedPages > 0);
        next.AssertConsistent();
    }

    [Fact]
    public void Onlining_memory_hands_the_new_pcp_limits_to_caches_that_already_exist()
    {
        using var m = TestMachines.Boot(memoryBytes: 256L << 20, hotplugBytes: 512L << 20);

        // This thread's cache is created now, while the movable zone is empty and its limits tiny.
        Assert.True(m.TryAllocPages(GfpFlags.Kernel, 0, out var first));
        m.FreePages(first, 0);
        m.Hotplug.AddMemory(2, 4);
        Assert.True(m.Hotplug.TryOnline(2, 4, out var error, ZoneType.Movable), error);
        var movable = m.Zones.Single(z => z.Type == ZoneType.Movable && z.ManagedPages > 0);
        const int Pages = 100;
        Assert.True(movable.PcpHigh > Pages, $"pcp high {movable.PcpHigh}");

        var pfns = new List<Pfn>();
        for (int i = 0; i < Pages; i++)
        {
            Assert.True(m.TryAllocPages(GfpFlags.HighUserMovable, 0, out var pfn));
            pfns.Add(pfn);
        }

        m.Allocator.DrainAllPages();
        pfns.ForEach(p => m.FreePages(p, 0));

        // With the limits of the empty zone the cache would have given back all but a handful.
        Assert.Equal(Pages, m.Allocator.CachedPages);
        m.AssertConsistent();
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void RunAndExit(Machine m)
    {
        TestThreads.RunAndAssert(1, _ =>
        {
            var pfns = new List<Pfn>();
            for (int i = 0; i < 10; i++)
            {
                if (!m.TryAllocPages(GfpFlags.Kernel, 0, out var pfn))
                {
                    throw new InvalidOperationException($"allocation {i} failed");
                }

                pfns.Add(pfn);
            }

            pfns.ForEach(p => m.FreePages(p, 0));
        });
    }
}
