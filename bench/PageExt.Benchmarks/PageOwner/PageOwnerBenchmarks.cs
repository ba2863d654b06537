using System.Runtime.CompilerServices;
using BenchmarkDotNet.Attributes;
using PageExt.Buddy;

namespace PageExt.Benchmarks.PageOwner;

/// <summary>
/// What page_owner adds to an order-0 alloc+free pair (two stack captures, two records, a stack
/// count update), measured at a realistic depth: the pair runs 20 calls below the benchmark so the
/// captured stacks are 16 frames deep, as the kernel's are. Every stack is a depot hit after the
/// first call.
/// </summary>
[MemoryDiagnoser]
public class PageOwnerBenchmarks
{
    private const int Pairs = 1 << 12;
    private Machine _off = null!;
    private Machine _on = null!;

    [GlobalSetup]
    public void Setup()
    {
        _off = Machine.Boot(new MachineDescription { MemoryBytes = 1L << 30 });
        _on = Machine.Boot(new MachineDescription { MemoryBytes = 1L << 30, CommandLine = "page_owner=on" });
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _off.Dispose();
        _on.Dispose();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Pairs)]
    public void PageOwnerOff() => Deep(_off, 20);

    [Benchmark(OperationsPerInvoke = Pairs)]
    public void PageOwnerOn() => Deep(_on, 20);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Deep(Machine machine, int depth)
    {
        if (depth > 0)
        {
            Deep(machine, depth - 1);
            return;
        }

        var allocator = machine.Allocator;
        for (int i = 0; i < Pairs; i++)
        {
            allocator.TryAllocPages(GfpFlags.Kernel, 0, out var pfn);
            allocator.FreePages(pfn, 0);
        }
    }
}
