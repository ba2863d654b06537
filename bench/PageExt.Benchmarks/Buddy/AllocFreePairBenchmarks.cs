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

    [Params(0, 3)]
    public int Order { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _machine = Machine.Boot(new MachineDescription { MemoryBytes = 1L << 30, Cpus = Environment.ProcessorCount });
    }

    [GlobalCleanup]
    public void Cleanup() => _machine.Dispose();

    [Benchmark(Baseline = true, OperationsPerInvoke = PairsPerThread)]
    public void PageExt_1thread() => PageExtPairs();

    [Benchmark(OperationsPerInvoke = 2 * PairsPerThread)]
    public void PageExt_2threads() => OnTwoThreads(PageExtPairs);

    [Benchmark(OperationsPerInvoke = PairsPerThread)]
    public void AlignedAlloc_1thread() => AlignedPairs();

    [Benchmark(OperationsPerInvoke = 2 * PairsPerThread)]
    public void AlignedAlloc_2threads() => OnTwoThreads(AlignedPairs);

    [Benchmark(OperationsPerInvoke = PairsPerThread)]
    public void ArrayPool_1thread() => ArrayPoolPairs();

    [Benchmark(OperationsPerInvoke = 2 * PairsPerThread)]
    public void ArrayPool_2threads() => OnTwoThreads(ArrayPoolPairs);

    private void PageExtPairs()
    {
        var allocator = _machine.Allocator;
        int order = Order;
        for (int i = 0; i < PairsPerThread; i++)
        {
            allocator.TryAllocPages(GfpFlags.Kernel, order, out var pfn);
            allocator.FreePages(pfn, order);
        }
    }

    private void AlignedPairs()
    {
        nuint bytes = (nuint)(4096 << Order);
        for (int i = 0; i < PairsPerThread; i++)
        {
            void* p = NativeMemory.AlignedAlloc(bytes, 4096);
            NativeMemory.AlignedFree(p);
        }
    }

    private void ArrayPoolPairs()
    {
        int bytes = 4096 << Order;
        var pool = ArrayPool<byte>.Shared;
        for (int i = 0; i < PairsPerThread; i++)
        {
            pool.Return(pool.Rent(bytes));
        }
    }

    private static void OnTwoThreads(Action body)
    {
        var other = new Thread(() => body());
        other.Start();
        body();
        other.Join();
    }
}
