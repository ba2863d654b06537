using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using PageExt.Buddy;

namespace PageExt.Benchmarks.PageExtension;

/// <summary>
/// Zero cost when off: the same order-0 and order-3 alloc+free pairs in a process where page_ext is
/// compiled out (PAGEEXT_SUPPORTED=0: the JIT removes the hook branch) and in one where it is
/// compiled in but no client is enabled (the cached paths' drain compare covers the clients too,
/// so both processes should run the same machine code).
/// </summary>
[MemoryDiagnoser]
[Config(typeof(Jobs))]
public class PageExtOffBenchmarks
{
    private const int Pairs = 1 << 16;
    private Machine _machine = null!;

    [Params(0, 3)]
    public int Order { get; set; }

    [GlobalSetup]
    public void Setup() => _machine = Machine.Boot(new MachineDescription { MemoryBytes = 1L << 30 });

    [GlobalCleanup]
    public void Cleanup() => _machine.Dispose();

    [Benchmark(OperationsPerInvoke = Pairs)]
    public void AllocFreePair()
    {
        var allocator = _machine.Allocator;
        int order = Order;
        for (int i = 0; i < Pairs; i++)
        {
            allocator.TryAllocPages(GfpFlags.Kernel, order, out var pfn);
            allocator.FreePages(pfn, order);
        }
    }

    private sealed class Jobs : ManualConfig
    {
        public Jobs()
        {
            AddJob(Job.Default.WithEnvironmentVariables(new EnvironmentVariable("PAGEEXT_SUPPORTED", "0")).WithId("compiled-out").AsBaseline());
            AddJob(Job.Default.WithId("compiled-in-off"));
        }
    }
}
