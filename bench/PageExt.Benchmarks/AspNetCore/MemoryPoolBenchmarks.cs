using System.Buffers;
using BenchmarkDotNet.Attributes;
using PageExt.AspNetCore;
using PageExt.Buddy;

namespace PageExt.Benchmarks.AspNetCore;

/// <summary>
/// What Kestrel does per buffer: rent 4 KiB, touch it through its span, return it. The PageExt pool
/// with every feature off and with page_owner on, beside the allocator's own pair (the floor the
/// pool adds its owner object and bookkeeping to) and beside .NET's shared MemoryPool (ArrayPool).
/// The TwoThreads cases run the same loop on two threads at once, as Kestrel's I/O threads rent
/// from one pool: the time is per pair on each thread, so it equals the one-thread time when the
/// threads share nothing that one writes and the other reads (and the allocation column counts
/// both threads' owners).
/// </summary>
[MemoryDiagnoser]
public class MemoryPoolBenchmarks
{
    private const int Pairs = 1 << 16;
    private PairedThread _partner = null!;
    private PageExtMemoryPoolFactory _off = null!;
    private PageExtMemoryPoolFactory _owner = null!;
    private MemoryPool<byte> _offPool = null!;
    private MemoryPool<byte> _ownerPool = null!;

    [GlobalSetup]
    public void Setup()
    {
        _off = new PageExtMemoryPoolFactory(new PageExtMemoryPoolOptions());
        _owner = new PageExtMemoryPoolFactory(new PageExtMemoryPoolOptions { CommandLine = "page_owner=on" });
        _offPool = _off.Create();
        _ownerPool = _owner.Create();
        _partner = new PairedThread();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _partner.Dispose();
        _off.Dispose();
        _owner.Dispose();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Pairs)]
    public int PageExtPool_FeaturesOff() => RentLoop(_offPool);

    [Benchmark(OperationsPerInvoke = Pairs)]
    public int PageExtPool_PageOwner() => RentLoop(_ownerPool);

    [Benchmark(OperationsPerInvoke = Pairs)]
    public int SharedMemoryPool() => RentLoop(MemoryPool<byte>.Shared);

    [Benchmark(OperationsPerInvoke = Pairs)]
    public void PageExtPool_FeaturesOff_TwoThreads() => _partner.Run(() => RentLoop(_offPool));

    [Benchmark(OperationsPerInvoke = Pairs)]
    public void SharedMemoryPool_TwoThreads() => _partner.Run(() => RentLoop(MemoryPool<byte>.Shared));

    [Benchmark(OperationsPerInvoke = Pairs)]
    public int Allocator_FeaturesOff()
    {
        var machine = _off.Machine;
        int sum = 0;
        for (int i = 0; i < Pairs; i++)
        {
            machine.TryAllocPages(GfpFlags.Kernel, 0, out var pfn);
            var span = machine.PageSpan(pfn);
            span[i & 4095] = 1;
            sum += span.Length;
            machine.FreePages(pfn, 0);
        }

        return sum;
    }

    private static int RentLoop(MemoryPool<byte> pool)
    {
        int sum = 0;
        for (int i = 0; i < Pairs; i++)
        {
            using var owner = pool.Rent();
            var span = owner.Memory.Span;
            span[i & 4095] = 1;
            sum += span.Length;
        }

        return sum;
    }
}
