#if BASELINE
extern alias baseline;

using BenchmarkDotNet.Attributes;
using PageExt.Buddy;
using Old = baseline::PageExt;

namespace PageExt.Benchmarks.Buddy;

/// <summary>
/// The allocation pair on one thread, today's library against the library at
/// <c>BaselineRevision</c> (compiled beside it as PageExt.Baseline), in one run: what a change to
/// the fast path costs (the Dispose guard, the hook table, the vm event counters were each measured
/// so, against the revision before them). With no feature on, and with page_owner on, where every
/// pair goes through the hook table's alloc and free arrays. Each loop is the benchmark method
/// itself, as in <see cref="AllocFreePairBenchmarks"/>, so both are inlined the way a caller's loop
/// would be.
/// </summary>
[MedianColumn]
[MemoryDiagnoser]
public class AgainstBaselineBenchmarks
{
    private const int Pairs = 1 << 16;
    private Machine _machine = null!;
    private Old.Machine _baseline = null!;

    [Params(0, 3)]
    public int Order { get; set; }

    [Params("", "page_owner=on")]
    public string CommandLine { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        _machine = Machine.Boot(new MachineDescription { MemoryBytes = 1L << 30, Cpus = Environment.ProcessorCount, CommandLine = CommandLine });
        _baseline = Old.Machine.Boot(new Old.MachineDescription { MemoryBytes = 1L << 30, Cpus = Environment.ProcessorCount, CommandLine = CommandLine });
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _machine.Dispose();
        _baseline.Dispose();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Pairs)]
    public void Baseline()
    {
        var allocator = _baseline.Allocator;
        int order = Order;
        for (int i = 0; i < Pairs; i++)
        {
            allocator.TryAllocPages(Old.Buddy.GfpFlags.Kernel, order, out var pfn);
            allocator.FreePages(pfn, order);
        }
    }

    [Benchmark(OperationsPerInvoke = Pairs)]
    public void Today()
    {
        var allocator = _machine.Allocator;
        int order = Order;
        for (int i = 0; i < Pairs; i++)
        {
            allocator.TryAllocPages(GfpFlags.Kernel, order, out var pfn);
            allocator.FreePages(pfn, order);
        }
    }

    /// <summary>
    /// The baseline once more, measured last: on a shared machine the load drifts during a run, and
    /// a ratio is only trusted when the baseline measured before and after agree.
    /// </summary>
    [Benchmark(OperationsPerInvoke = Pairs)]
    public void Baseline_again() => Baseline();
}
#endif
