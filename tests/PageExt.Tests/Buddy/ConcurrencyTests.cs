using PageExt.Buddy;
using PageExt.Physical;
using Xunit.Abstractions;

namespace PageExt.Tests.Buddy;

public class ConcurrencyTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(1337, 4)]
    [InlineData(20261123, 8)]
    public void Many_threads_allocating_and_freeing_keep_every_invariant(int seed, int threads)
    {
        output.WriteLine($"seed {seed}, threads {threads}");
        using var m = TestMachines.Boot(memoryBytes: 128L << 20, cpus: 4);
        var corrupted = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var thrown = TestThreads.Run(threads, t =>
        {
            var rng = new Random(seed + t);
            var live = new List<(Pfn, int)>();
            for (int step = 0; step < 20000; step++)
            {
                if (live.Count > 0 && (rng.Next(2) == 0 || live.Count > 200))
                {
                    int i = rng.Next(live.Count);
                    var (pfn, order) = live[i];

                    // The page is really ours: what this thread wrote is still there before freeing.
                    var span = m.PageSpan(pfn, order);
                    if (span[0] != (byte)t)
                    {
                        corrupted.Enqueue($"thread {t}, step {step}: pfn {pfn} order {order} holds {span[0]}, not {t}");
                    }

                    live[i] = live[^1];
                    live.RemoveAt(live.Count - 1);
                    m.FreePages(pfn, order);
                }
                else
                {
                    int order = rng.Next(8) == 0 ? rng.Next(5) : 0;
                    var gfp = rng.Next(2) == 0 ? GfpFlags.Kernel : GfpFlags.HighUserMovable;
                    if (m.TryAllocPages(gfp | GfpFlags.NoWarn, order, out var pfn))
                    {
                        m.PageSpan(pfn, order).Fill((byte)t);
                        live.Add((pfn, order));
                    }
                }
            }

            foreach (var (pfn, order) in live)
            {
                m.FreePages(pfn, order);
            }
        });
        Assert.Empty(thrown);
        Assert.Empty(corrupted);
        m.AssertConsistent();
        Assert.Equal(0, m.Allocator.BadPageCount);
        m.Allocator.DrainAllPages();
        Assert.Equal(m.Zones.Sum(z => z.ManagedPages), m.FreePagesTotal());
    }
}
