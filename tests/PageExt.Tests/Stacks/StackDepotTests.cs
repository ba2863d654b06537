using PageExt.Boot;
using PageExt.Stacks;
using Xunit.Abstractions;

namespace PageExt.Tests.Stacks;

public class StackDepotTests
{
    private readonly ITestOutputHelper _output;

    public StackDepotTests(ITestOutputHelper output)
    {
        _output = output;
    }

    private static nuint[] Frames(params ulong[] values) => values.Select(v => (nuint)v).ToArray();

    [Fact]
    public void Same_frames_give_the_same_handle_and_different_frames_differ()
    {
        var depot = new StackDepot(maxPools: 4);
        var a = depot.Save(Frames(0x1000, 0x2000, 0x3000));
        var b = depot.Save(Frames(0x1000, 0x2000, 0x3000));
        var c = depot.Save(Frames(0x1000, 0x2000, 0x3001));
        var d = depot.Save(Frames(0x1000, 0x2000));
        var e = depot.Save(Frames(0x2000, 0x1000, 0x3000));
        Assert.True(a.IsValid);
        Assert.Equal(a, b);
        Assert.Equal(4, new[] { a, c, d, e }.Distinct().Count());
        Assert.Equal(Frames(0x1000, 0x2000, 0x3000), depot.Fetch(a));
        Assert.Equal(Frames(0x1000, 0x2000), depot.Fetch(d));
        Assert.Equal(3, depot.GetFrameCount(c));

        var stats = depot.GetStats();
        Assert.Equal(3 + 4, stats.Records); // three sentinels
        Assert.Equal(4 + 3, stats.Misses);
        Assert.Equal(1, stats.Hits);
        Assert.Equal(0, stats.Failures);
        Assert.Equal(1, stats.Pools);
    }

    [Fact]
    public void Empty_stack_is_the_invalid_handle_and_long_stacks_are_truncated()
    {
        var depot = new StackDepot(maxPools: 2);
        Assert.False(depot.Save(ReadOnlySpan<nuint>.Empty).IsValid);
        var longStack = Enumerable.Range(1, 100).Select(i => (nuint)i).ToArray();
        var h = depot.Save(longStack);
        Assert.Equal(StackDepot.MaxFrames, depot.GetFrameCount(h));
        Assert.Equal(longStack.AsSpan(0, 64).ToArray(), depot.Fetch(h));
        Assert.Equal(h, depot.Save(longStack.AsSpan(0, 64)));
    }

    [Fact]
    public void Records_are_16_byte_aligned_and_bytes_are_counted()
    {
        var depot = new StackDepot(maxPools: 2);
        long before = depot.GetStats().Bytes;
        var h1 = depot.Save(Frames(1));
        var h2 = depot.Save(Frames(1, 2, 3));
        Assert.Equal(0, h1.OffsetBytes % 16);
        Assert.Equal(h1.OffsetBytes + 48, h2.OffsetBytes); // 32-byte header + 8, rounded to 48
        Assert.Equal(48 + 64, depot.GetStats().Bytes - before);
    }

    [Fact]
    public void Fetch_into_a_span_copies_and_checks_room()
    {
        var depot = new StackDepot(maxPools: 1);
        var h = depot.Save(Frames(7, 8, 9));
        Span<nuint> buffer = stackalloc nuint[4];
        Assert.Equal(3, depot.Fetch(h, buffer));
        Assert.Equal((nuint)9, buffer[2]);
        Assert.Throws<ArgumentException>(() => depot.Fetch(h, new nuint[2]));
    }

    [Fact]
    public void Foreign_and_invalid_handles_throw()
    {
        var depot = new StackDepot(maxPools: 2);
        var h = depot.Save(Frames(1, 2));
        Assert.Throws<ArgumentException>(() => depot.Fetch(StackHandle.Invalid));
        Assert.Throws<ArgumentException>(() => depot.GetCount(new StackHandle(h.Value + (1u << StackHandle.PoolIndexBits))));
        Assert.Throws<ArgumentException>(() => depot.Fetch(StackHandle.Create(1, 0)));
        Assert.Throws<ArgumentException>(() => depot.Fetch(StackHandle.Create(0, 16))); // inside a record, not its start
        // Extra bits are the caller's and do not change which record a handle names.
        Assert.Equal(depot.Fetch(h), depot.Fetch(h.WithExtra(5)));
    }

    [Fact]
    public void Counter_is_atomic_and_per_record()
    {
        var depot = new StackDepot(maxPools: 1);
        var a = depot.Save(Frames(1));
        var b = depot.Save(Frames(2));
        Assert.Equal(0, depot.GetCount(a));
        Assert.Equal(8, depot.AddCount(a, 8));
        Assert.Equal(7, depot.AddCount(a, -1));
        Assert.Equal(0, depot.GetCount(b));
        Parallel.For(0, 10_000, _ => depot.AddCount(b, 1));
        Assert.Equal(10_000, depot.GetCount(b));
    }

    [Fact]
    public void Sentinels_are_ordinary_named_handles()
    {
        var depot = new StackDepot(maxPools: 1);
        var handles = new[] { depot.DummyHandle, depot.FailureHandle, depot.EarlyHandle };
        Assert.All(handles, h => Assert.True(h.IsValid));
        Assert.Equal(3, handles.Distinct().Count());
        Assert.All(handles, h => Assert.True(depot.IsSentinel(h)));
        Assert.Equal(StackDepot.DummySentinelName, depot.GetSymbols(depot.DummyHandle)!.Frames.Single().Symbol);
        Assert.Equal(depot.EarlyHandle, depot.GetOrCreateSentinel(StackDepot.EarlySentinelName));
        var custom = depot.GetOrCreateSentinel("split_page");
        Assert.NotEqual(custom, depot.GetOrCreateSentinel("split_pagf"));
        Assert.Equal(custom, depot.GetOrCreateSentinel("split_page"));
        Assert.False(depot.IsSentinel(depot.Save(Frames(1, 2))));
        Assert.Equal(1, depot.AddCount(depot.EarlyHandle, 1));
        Assert.Throws<ArgumentException>(() => depot.GetOrCreateSentinel(string.Empty));
        Assert.Throws<ArgumentException>(() => depot.GetOrCreateSentinel(new string('x', 253)));
        var writer = new StringWriter();
        depot.Print(writer, depot.FailureHandle);
        Assert.Equal(" failure_stack+0x0/0x0\n", writer.ToString());
    }

    [Fact]
    public void Capacity_exhaustion_fails_cleanly_and_old_stacks_still_hit()
    {
        var depot = new StackDepot(maxPools: 1);
        var stored = new List<(nuint[] Frames, StackHandle Handle)>();
        for (ulong i = 1; ; i++)
        {
            var frames = Enumerable.Range(0, 16).Select(j => (nuint)((i << 8) | (uint)j)).ToArray();
            var h = depot.Save(frames);
            if (!h.IsValid)
            {
                break;
            }

            stored.Add((frames, h));
            Assert.True(i < 1000, "a single 16 KiB pool cannot hold 1000 records");
        }

        // (16384 − 208 bytes of sentinel records) / 160 bytes per 16-frame record = 101.
        Assert.Equal(101, stored.Count);
        var stats = depot.GetStats();
        Assert.True(stats.LimitReached);
        Assert.Equal(1, stats.Failures);
        Assert.Equal(1, stats.Pools);
        Assert.False(depot.Save(Frames(0xdead)).IsValid);
        Assert.Equal(2, depot.GetStats().Failures);
        foreach (var (frames, handle) in stored)
        {
            Assert.Equal(handle, depot.Save(frames));
        }

        Assert.Equal(stored.Count + 3, depot.GetHandles().Count);
    }

    [Fact]
    public void Disabled_depot_stores_nothing()
    {
        var depot = global::PageExt.PageOwner.PageOwner.DepotFor(BootCommandLine.ParseOrThrow("stack_depot_disable=1 stack_depot_max_pools=3"));
        Assert.True(depot.IsDisabled);
        Assert.Equal(3, depot.MaxPools);
        Assert.False(depot.DummyHandle.IsValid);
        Assert.False(depot.Save(Frames(1)).IsValid);
        Assert.Equal(0, depot.GetStats().Records);
        Assert.Equal(4, depot.GetStats().Failures);
    }

    [Fact]
    public void Constructor_rejects_bad_sizes()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new StackDepot(maxPools: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new StackDepot(maxPools: StackHandle.MaxPoolCount + 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new StackDepot(bucketCount: 1000));
    }

    [Fact]
    public void Many_pools_and_a_tiny_hash_table_still_find_everything()
    {
        // Two buckets force long chains; 3000 records span many pools.
        var depot = new StackDepot(maxPools: 64, bucketCount: 2);
        var handles = new StackHandle[3000];
        for (int i = 0; i < handles.Length; i++)
        {
            handles[i] = depot.Save(Frames((ulong)i, 42));
        }

        Assert.True(depot.GetStats().Pools > 4);
        for (int i = 0; i < handles.Length; i++)
        {
            Assert.Equal(handles[i], depot.Save(Frames((ulong)i, 42)));
            Assert.Equal(Frames((ulong)i, 42), depot.Fetch(handles[i]));
        }

        Assert.Equal(handles.Length, handles.Distinct().Count());
        Assert.Equal(handles, depot.GetHandles().Skip(3));
    }

    [Fact]
    public void Hit_allocates_nothing()
    {
        var depot = new StackDepot(maxPools: 4);
        var frames = Frames(0x7f00_0000_1000, 0x7f00_0000_2000, 0x7f00_0000_3000, 0x7f00_0000_4000);
        var expected = depot.Save(frames);
        var span = new ReadOnlySpan<nuint>(frames);
        for (int i = 0; i < 1000; i++)
        {
            depot.Save(span);
            depot.TryGet(span, out _);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100_000; i++)
        {
            if (depot.Save(span) != expected || !depot.TryGet(span, out _))
            {
                Assert.Fail("hit returned another handle");
            }
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void An_alias_key_gives_its_canonical_stack_and_is_not_a_stack_of_its_own()
    {
        var depot = new StackDepot(maxPools: 2);
        var names = new ResolvedStack([new ResolvedFrame("App.Alloc", 12, 40, 1234), new ResolvedFrame("App.Main", 7, 90, 5678)]);
        var canonical = depot.Save(Frames(1234, 12, 5678, 7), names);
        var tier0 = depot.SaveAlias(Frames(0x1000, 0x2000), canonical);
        var tier1 = depot.SaveAlias(Frames(0x9000, 0x2000), canonical);
        var bare = depot.Save(Frames(0x5));

        Assert.Equal(canonical, tier0);
        Assert.Equal(canonical, tier1);
        Assert.Equal(canonical, depot.Save(Frames(0x9000, 0x2000)));
        Assert.True(depot.TryGet(Frames(0x1000, 0x2000), out var found));
        Assert.Equal(canonical, found);
        Assert.False(depot.TryGet(Frames(0x1000, 0x2001), out _));
        Assert.Equal([depot.DummyHandle, depot.FailureHandle, depot.EarlyHandle, canonical, bare], depot.GetHandles());
        Assert.Equal(3 + 2 + 2, depot.GetStats().Records);
        Assert.Throws<ArgumentException>(() => depot.SaveAlias(Frames(0x7), new StackHandle(12345)));

        var writer = new StringWriter();
        depot.Print(writer, tier1, spaces: 2);
        Assert.Equal("   App.Alloc+0xc/0x28\n   App.Main+0x7/0x5a\n", writer.ToString());
        writer = new StringWriter();
        depot.Print(writer, bare);
        Assert.Equal(" 0x5\n", writer.ToString());
    }

    [Fact]
    public void Concurrent_savers_agree_on_one_handle_per_stack()
    {
        int seed = Environment.TickCount;
        _output.WriteLine($"seed {seed}");
        var random = new Random(seed);
        var stacks = new nuint[600][];
        for (int i = 0; i < stacks.Length; i++)
        {
            int depth = random.Next(1, 20);
            stacks[i] = new nuint[depth];
            for (int j = 0; j < depth; j++)
            {
                stacks[i][j] = (nuint)random.NextInt64(1, 64); // small alphabet: many near-duplicates
            }

            stacks[i][0] = (nuint)(i + 1000); // all distinct
        }

        var depot = new StackDepot(maxPools: 64, bucketCount: 64);
        const int threads = 4;
        var results = new StackHandle[threads, stacks.Length];
        var seeds = Enumerable.Range(0, threads).Select(t => seed + t).ToArray();
        var start = new Barrier(threads);
        var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
        {
            var rng = new Random(seeds[t]);
            var order = Enumerable.Range(0, stacks.Length).OrderBy(_ => rng.Next()).ToArray();
            start.SignalAndWait();
            for (int round = 0; round < 3; round++)
            {
                foreach (int i in order)
                {
                    var h = depot.Save(stacks[i]);
                    if (round > 0 && h != results[t, i])
                    {
                        results[t, i] = StackHandle.Invalid;
                    }
                    else
                    {
                        results[t, i] = h;
                    }
                }
            }
        })).ToList();
        workers.ForEach(w => w.Start());
        workers.ForEach(w => w.Join());

        var handles = new HashSet<StackHandle>();
        for (int i = 0; i < stacks.Length; i++)
        {
            var h = results[0, i];
            Assert.True(h.IsValid, $"stack {i} (seed {seed})");
            for (int t = 1; t < threads; t++)
            {
                Assert.Equal(h, results[t, i]);
            }

            Assert.Equal(stacks[i], depot.Fetch(h));
            Assert.True(handles.Add(h), $"two stacks share handle {h} (seed {seed})");
        }

        var stats = depot.GetStats();
        Assert.Equal(stacks.Length + 3, stats.Records);
        Assert.Equal(stacks.Length + 3, stats.Misses);
        Assert.Equal((3L * threads * stacks.Length) - stacks.Length, stats.Hits);
    }
}
