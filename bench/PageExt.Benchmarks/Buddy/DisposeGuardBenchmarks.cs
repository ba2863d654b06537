#if BASELINE
extern alias baseline;

using BenchmarkDotNet.Attributes;
using PageExt.Buddy;
using Old = baseline::PageExt;

namespace PageExt.Benchmarks.Buddy;

/// <summary>
/// The allocation pair on one thread, today's library against the library at
/// <c>BaselineRevision</c> (compiled beside it as PageExt.Baseline), in one run: what the Dispose
/// guard costs the fast path. Each loop is the benchmark method itself, as in
/// <see cref="AllocFreePairBenchmarks"/>, so both are inlined the way a caller's loop would be.
/// </summary>
[MedianColumn]
public class DisposeGuardBenchmarks
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
    public void Before_guard()
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
    public void With_guard()
    {
        var allocator = _machine.Allocator;
        int order = Order;
        for (int i = 0; i < PairsPerThread; i++)
        {
            allocator.TryAllocPages(GfpFlags.Kernel, order, out var pfn);
            allocator.FreePages(pfn, order);
        }
    }

    /// <summary>
    /// The baseline once more, measured last: on a shared machine the load drifts during a run, and
    /// a ratio is only trusted when the baseline measured before and after agree.
    /// </summary>
    [Benchmark(OperationsPerInvoke = PairsPerThread)]
    public void Before_guard_again() => Before_guard();
}
#endif
