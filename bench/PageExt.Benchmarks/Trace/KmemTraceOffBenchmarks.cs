using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using PageExt.Buddy;

namespace PageExt.Benchmarks.Trace;

/// <summary>
/// The kmem trace events cost nothing when off: the same order-0 alloc+free pairs with no trace
/// parameter, with the trace configured but no event enabled (its hook table slot off), and with
/// both events on; each in a process where page_ext's clients are compiled out
/// (PAGEEXT_SUPPORTED=0, the baseline) and one where they are compiled in.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(Jobs))]
public class KmemTraceOffBenchmarks
{
    private const int Pairs = 1 << 16;
    private Machine _machine = null!;

    [Params("none", "off", "on")]
    public string Trace { get; set; } = "none";

    [GlobalSetup]
    public void Setup() => _machine = Machine.Boot(new MachineDescription
    {
        MemoryBytes = 1L << 30,
        CommandLine = Trace switch
        {
            "off" => "trace_options=stacktrace trace_buf_size=64M",
            "on" => "trace_event=kmem:mm_page_alloc,kmem:mm_page_free trace_buf_size=64M",
            _ => "",
        },
    });

    [GlobalCleanup]
    public void Cleanup() => _machine.Dispose();

    [Benchmark(OperationsPerInvoke = Pairs)]
    public void AllocFreePair()
    {
        var allocator = _machine.Allocator;
        for (int i = 0; i < Pairs; i++)
        {
            allocator.TryAllocPages(GfpFlags.Kernel, 0, out var pfn);
            allocator.FreePages(pfn, 0);
        }
    }

    private sealed class Jobs : ManualConfig
    {
        public Jobs()
        {
            AddJob(Job.ShortRun.WithEnvironmentVariables(new EnvironmentVariable("PAGEEXT_SUPPORTED", "0")).WithId("compiled-out").AsBaseline());
            AddJob(Job.ShortRun.WithId("compiled-in"));
        }
    }
}
