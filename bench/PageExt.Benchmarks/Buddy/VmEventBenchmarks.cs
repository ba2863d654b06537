#if BASELINE
extern alias baseline;

using BenchmarkDotNet.Attributes;
using PageExt.Buddy;
using Old = baseline::PageExt;

namespace PageExt.Benchmarks.Buddy;

/// <summary>
/// What counting the vm events (pgalloc, pgfree and the calls, on the thread's per-CPU state)
/// costs the cached allocation pair: today's library against the library at
/// <c>BaselineRevision</c>, the revision before the counters, in one run. As in
/// <see cref="DisposeGuardBenchmarks"/>, each loop is the benchmark method itself, and the
/// baseline runs again last to show the machine's drift.
/// </summary>
[MedianColumn]
public class VmEventBenchmarks
{
    private const int PairsPerThread = 1 << 20;
    private Machine _machine = null!;
    private Old.Machine _baseline = null!;

    [Params(0, 3)]
    public int Order { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _machine = Machine.Boot(new MachineDescription { MemoryBytes = 1L << 30, Cpus = Environment.ProcessorCount });
        _baseline = Old.Machine.Boot(new Old.MachineDescription { MemoryBytes = 1L << 30, Cpus = Environment.ProcessorCount });
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _machine.Dispose();
        _baseline.Dispose();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = PairsPerThread)]
    public void Uncounted()
    {
        var allocator = _baseline.Allocator;
        int order = Order;
        for (int i = 0; i < PairsPerThread; i++)
        {
            allocator.TryAllocPages(Old.Buddy.GfpFlags.Kernel, order, out var pfn);
            allocator.FreePages(pfn, order);
        }
    }

    [Benchmark(OperationsPerInvoke = PairsPerThread)]
    public void Counted()
    {
        var allocator = _machine.Allocator;
        int order = Order;
        for (int i = 0; i < PairsPerThread; i++)
        {
            allocator.TryAllocPages(GfpFlags.Kernel, order, out var pfn);
            allocator.FreePages(pfn, order);
        }
    }

    /// <summary>The baseline once more, measured last: a ratio is only trusted when the two baseline runs agree.</summary>
    [Benchmark(OperationsPerInvoke = PairsPerThread)]
    public void Uncounted_again() => Uncounted();
}
#endif
