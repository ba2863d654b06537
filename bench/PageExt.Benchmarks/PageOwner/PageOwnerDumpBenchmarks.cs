using BenchmarkDotNet.Attributes;
using PageExt.Buddy;
using PageExt.PageOwner;

namespace PageExt.Benchmarks.PageOwner;

/// <summary>
/// Dump throughput: the page_owner dump of a 4 GiB machine whose memory is allocated in order-0
/// pages, written to a null writer. Pages per second = 1,048,576 / mean time.
/// </summary>
[MemoryDiagnoser]
public class PageOwnerDumpBenchmarks
{
    private Machine _machine = null!;

    [GlobalSetup]
    public void Setup()
    {
        _machine = Machine.Boot(new MachineDescription { MemoryBytes = 4L << 30, CommandLine = "page_owner=on" });
        while (_machine.TryAllocPages(GfpFlags.HighUserMovable | GfpFlags.NoWarn, 0, out _))
        {
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _machine.Dispose();

    [Benchmark]
    public long Dump4GiB() => PageOwnerDump.Write(TextWriter.Null, _machine.PageOwner);
}
