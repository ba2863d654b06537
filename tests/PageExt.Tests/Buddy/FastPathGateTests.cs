using PageExt.Buddy;
using PageExt.PageExtension;
using PageExt.Physical;

namespace PageExt.Tests.Buddy;

/// <summary>
/// The cached fast paths make one test for both a drain and the machine's clients (the per-CPU
/// set's FastPathBlocked word). A machine with clients must still show them every cached
/// allocation and free, on every thread, whenever its cache was made; one without clients must
/// still serve its cache without the zones' watermarks.
/// </summary>
public sealed class FastPathGateTests
{
    /// <summary>A client that counts allocations and frees by order; on when it gets page_ext space.</summary>
    private sealed class CountingClient : PageExtClient, IAllocHook, IFreeHook
    {
        private readonly long[] _allocs = new long[PageOrder.Max + 1];
        private readonly long[] _frees = new long[PageOrder.Max + 1];

        public override string Name => "counting";

        public override int SizeBytes => 0;

        public bool IsEnabled => HasSpace;

        public override bool Need() => true;

        public long Allocs(int order) => Interlocked.Read(ref _allocs[order]);

        public long Frees(int order) => Interlocked.Read(ref _frees[order]);

        public void OnAlloc(Pfn pfn, int order, GfpFlags gfp) => Interlocked.Increment(ref _allocs[order]);

        public void OnFree(Pfn pfn, int order) => Interlocked.Increment(ref _frees[order]);
    }

    private const int Pairs = 2000;

    private static Machine Boot(params PageExtClient[] clients) =>
        Machine.Boot(new MachineDescription { MemoryBytes = 64L << 20, Cpus = 2 }, clients);

    private static void AllocFreePairs(Machine m, int order, int pairs)
    {
        for (int i = 0; i < pairs; i++)
        {
            if (!m.TryAllocPages(GfpFlags.Kernel, order, out var pfn))
            {
                throw new InvalidOperationException($"pair {i} of order {order} found no block");
            }

            m.FreePages(pfn, order);
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    public void A_client_sees_every_cached_allocation_and_free_on_the_booting_thread_and_on_two_others(int order)
    {
        var client = new CountingClient();
        using var m = Boot(client);
        Assert.True(m.Allocator.HasHooks);

        // The booting thread's cache predates the hook table: page_ext's tables came from the buddy allocator.
        Assert.Equal(1, m.Allocator.CacheCount);

        // One pair fills the cache; from then on the zones' free pages stay put: every pair is the cache's.
        AllocFreePairs(m, order, 1);
        long free = m.FreePagesTotal();
        AllocFreePairs(m, order, Pairs);
        Assert.Equal(free, m.FreePagesTotal());
        Assert.Equal(Pairs + 1, client.Allocs(order));
        Assert.Equal(Pairs + 1, client.Frees(order));

        using var filled = new Barrier(2, _ => free = m.FreePagesTotal());
        TestThreads.RunAndAssert(2, _ =>
        {
            AllocFreePairs(m, order, 1);
            if (!filled.SignalAndWait(TimeSpan.FromSeconds(60)))
            {
                throw new TimeoutException("the other thread never filled its cache");
            }

            AllocFreePairs(m, order, Pairs);
        });

        Assert.Equal(3, m.Allocator.CacheCount);
        Assert.Equal(free, m.FreePagesTotal());
        Assert.Equal((3 * Pairs) + 3, client.Allocs(order));
        Assert.Equal((3 * Pairs) + 3, client.Frees(order));
        m.AssertConsistent();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Below_the_low_watermark_an_allocation_is_still_served_from_the_threads_cache(bool withClient)
    {
        var client = new CountingClient();
        using var m = withClient ? Boot(client) : Boot();
        Assert.Equal(withClient, m.Allocator.HasHooks);
        var held = new List<Pfn>();
        while (m.TryAllocPages(GfpFlags.Kernel | GfpFlags.NoWarn, 0, out var pfn))
        {
            held.Add(pfn);
        }

        // The first blocks came from the zone the cache serves first; give eight of them back to the cache.
        var zone = m.Allocator.ZoneOf(held[0])!;
        var cached = held.Where(p => m.Allocator.ZoneOf(p) == zone).Take(8).ToList();
        foreach (var pfn in cached)
        {
            held.Remove(pfn);
            m.FreePages(pfn, 0);
        }

        long zoneFree = zone.FreePages;
        Assert.True(zoneFree <= zone.Watermarks.Low, $"zone {zone.Name} has {zoneFree} free pages, not below its low watermark {zone.Watermarks.Low}");
        Assert.Equal(8, m.Allocator.CachedPages);

        // The zones would refuse this allocation (and drain every cache to retry); the cache must not.
        Assert.True(m.TryAllocPages(GfpFlags.Kernel, 0, out var got));
        Assert.Equal(cached[^1], got);
        Assert.Equal(7, m.Allocator.CachedPages);
        Assert.Equal(zoneFree, zone.FreePages);
        Assert.Equal(withClient ? held.Count + 9 : 0, client.Allocs(0));

        held.Add(got);
        held.ForEach(p => m.FreePages(p, 0));
        m.AssertConsistent();
    }
}
