#if BASELINE
extern alias baseline;

using BenchmarkDotNet.Attributes;
using PageExt.Buddy;
using Old = baseline::PageExt;

namespace PageExt.Benchmarks.Buddy;

/// <summary>
/// The allocation pair on one thread through today's hook table against the library at
/// <c>BaselineRevision</c> (its hook array and guard observer), in one run: with no feature on
/// (the PageExtOff path: the allocator holds no table and tests one flag) and with page_owner on
/// (every pair goes through the table's alloc and free arrays). Each loop is the benchmark method
/// itself, as in <see cref="AllocFreePairBenchmarks"/>.
/// </summary>
[MedianColumn]
[MemoryDiagnoser]
public class HookTableBenchmarks
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
    public void Before_table()
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
    public void With_table()
    {
        var allocator = _machine.Allocator;
        int order = Order;
        for (int i = 0; i < Pairs; i++)
        {
            allocator.TryAllocPages(GfpFlags.Kernel, order, out var pfn);
            allocator.FreePages(pfn, order);
        }
    }

    /// <summary>The baseline once more, measured last, to show how far the shared machine drifted during the run.</summary>
    [Benchmark(OperationsPerInvoke = Pairs)]
    public void Before_table_again() => Before_table();
}
#endif
