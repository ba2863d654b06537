using BenchmarkDotNet.Attributes;
using PageExt.Buddy;
using PageExt.DebugPageAlloc;

namespace PageExt.Benchmarks.DebugPageAlloc;

/// <summary>
/// The price of each debug_pagealloc mode on an allocation and free of the same block, order 0
/// (the per-CPU path) and order 3, side by side with a boot with nothing enabled (the baseline):
/// page_poison=1 (fill 0xaa on free, check on allocation), debug_pagealloc=on (one mprotect on
/// free, one on allocation), and debug_pagealloc=on with debug_guardpage_minorder=1. "Off" also
/// boots through the debug_pagealloc factory, with every mode off, so it proves the clients cost
/// nothing when they are not needed.
/// </summary>
[MemoryDiagnoser]
public class DebugPageAllocModeBenchmarks
{
    private const int Pairs = 4096;
    private Machine _baseline = null!;
    private Machine _off = null!;
    private Machine _poison = null!;
    private Machine _unmap = null!;
    private Machine _unmapGuard = null!;

    [Params(0, 3)]
    public int Order { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _baseline = Machine.Boot(Description());
        _off = Boot(DebugPageAllocSettings.Off);
        _poison = Boot(new DebugPageAllocSettings { PagePoison = true });
        _unmap = Boot(new DebugPageAllocSettings { DebugPagealloc = true });
        _unmapGuard = Boot(new DebugPageAllocSettings { DebugPagealloc = true, GuardPageMinOrder = 1 });
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _baseline.Dispose();
        _off.Dispose();
        _poison.Dispose();
        _unmap.Dispose();
        _unmapGuard.Dispose();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Pairs)]
    public void Baseline() => Run(_baseline);

    [Benchmark(OperationsPerInvoke = Pairs)]
    public void AllOff() => Run(_off);

    [Benchmark(OperationsPerInvoke = Pairs)]
    public void PagePoison() => Run(_poison);

    [Benchmark(OperationsPerInvoke = Pairs)]
    public void Unmap() => Run(_unmap);

    [Benchmark(OperationsPerInvoke = Pairs)]
    public void UnmapGuardMinOrder1() => Run(_unmapGuard);

    private static MachineDescription Description() => new() { MemoryBytes = 1L << 30, Cpus = Environment.ProcessorCount };

    private static Machine Boot(DebugPageAllocSettings settings) =>
        Machine.Boot(Description(), [], debugPageAlloc: DebugPageAllocFeature.Create(settings));

    private void Run(Machine machine)
    {
        var allocator = machine.Allocator;
        int order = Order;
        for (int i = 0; i < Pairs; i++)
        {
            allocator.TryAllocPages(GfpFlags.Kernel, order, out var pfn);
            allocator.FreePages(pfn, order);
        }
    }
}
