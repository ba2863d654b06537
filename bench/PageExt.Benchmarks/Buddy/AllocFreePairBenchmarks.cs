using System.Buffers;
using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using PageExt.Buddy;

namespace PageExt.Benchmarks.Buddy;

/// <summary>
/// One allocation and one free of a 4 KiB page (order 0) or a 32 KiB block (order 3), on one and
/// on two threads, side by side with the .NET ways to get the same memory. Each invocation runs
/// <see cref="PairsPerThread"/> pairs per thread, so "ns per pair" on two threads is wall time
/// divided by all pairs: its ratio to the one-thread figure is the scaling.
/// </summary>
[MemoryDiagnoser]
public unsafe class AllocFreePairBenchmarks
{
    private const int PairsPerThread = 1 << 20;
    private Machine _machine = null!;
    private PairedThread _partner = null!;

    [Params(0, 3)]
    public int Order { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _machine = Machine.Boot(new MachineDescription { MemoryBytes = 1L << 30, Cpus = Environment.ProcessorCount });
        _partner = new PairedThread();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _partner.Dispose();
        _machine.Dispose();
    }

    // Each loop is the benchmark method itself (the two-thread variants run it on both threads):
    // the JIT sizes its inlining budget by the method it compiles, and a one-line wrapper around
    // the loop would leave too little budget to inline what a real caller's loop would inline.
    [Benchmark(Baseline = true, OperationsPerInvoke = PairsPerThread)]
    public void PageExt_1thread()
    {
        var allocator = _machine.Allocator;
        int order = Order;
        for (int i = 0; i < PairsPerThread; i++)
        {
            allocator.TryAllocPages(GfpFlags.Kernel, order, out var pfn);
            allocator.FreePages(pfn, order);
        }
    }

    [Benchmark(OperationsPerInvoke = 2 * PairsPerThread)]
    public void PageExt_2threads() => _partner.Run(PageExt_1thread);

    [Benchmark(OperationsPerInvoke = PairsPerThread)]
    public void AlignedAlloc_1thread()
    {
        nuint bytes = (nuint)(4096 << Order);
        for (int i = 0; i < PairsPerThread; i++)
        {
            void* p = NativeMemory.AlignedAlloc(bytes, 4096);
            NativeMemory.AlignedFree(p);
        }
    }

    [Benchmark(OperationsPerInvoke = 2 * PairsPerThread)]
    public void AlignedAlloc_2threads() => _partner.Run(AlignedAlloc_1thread);

    [Benchmark(OperationsPerInvoke = PairsPerThread)]
    public void ArrayPool_1thread()
    {
        int bytes = 4096 << Order;
        var pool = ArrayPool<byte>.Shared;
        for (int i = 0; i < PairsPerThread; i++)
        {
            pool.Return(pool.Rent(bytes));
        }
    }

    [Benchmark(OperationsPerInvoke = 2 * PairsPerThread)]
    public void ArrayPool_2threads() => _partner.Run(ArrayPool_1thread);
}
