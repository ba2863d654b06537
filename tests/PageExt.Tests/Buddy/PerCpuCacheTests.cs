using System.Runtime.CompilerServices;
using PageExt.Buddy;
using PageExt.Physical;

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
        var owner = new Thread(() =>
        {
            Assert.True(m.TryAllocPages(GfpFlags.Kernel, 0, out var a));
            m.FreePages(a, 0);
            go.Set();
            drained.Wait();
            Assert.True(m.TryAllocPages(GfpFlags.Kernel, 0, out var b));
            m.FreePages(b, 0);
        });
        owner.Start();
        go.Wait();
        Assert.True(m.Allocator.CachedPages > 0);
        m.Allocator.DrainAllPages();
        Assert.Equal(0, m.Allocator.CachedPages);
        drained.Set();
        owner.Join();
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

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void RunAndExit(Machine m)
    {
        var thread = new Thread(() =>
        {
            var pfns = new List<Pfn>();
            for (int i = 0; i < 10; i++)
            {
                Assert.True(m.TryAllocPages(GfpFlags.Kernel, 0, out var pfn));
                pfns.Add(pfn);
            }

            pfns.ForEach(p => m.FreePages(p, 0));
        });
        thread.Start();
        thread.Join();
    }
}
