using System.Text;
using BenchmarkDotNet.Attributes;
using PageExt.Analysis.Trace;

namespace PageExt.Benchmarks.Trace;

/// <summary>
/// `pageext trace`'s reading side: 32 MiB of generated ftrace text (seed 7) split into lines,
/// parsed and replayed into the held set, with and without a stack after every event. The
/// throughput in MiB/s is <see cref="TraceBytes"/> divided by the mean time. The held set is
/// bounded by the generator, so the allocations reported are the replay's dictionaries and interned
/// strings, not per-line garbage.
/// </summary>
[MemoryDiagnoser]
public class TraceReplayBenchmarks
{
    private const int TraceBytes = 32 << 20;

    private byte[] _trace = [];

    [Params(false, true)]
    public bool Stacks { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var text = new StringBuilder(TraceBytes + 4096);
        text.Append(KmemTraceGenerator.Header());
        new KmemTraceGenerator(seed: 7, Stacks).Append(text, TraceBytes);
        _trace = Encoding.UTF8.GetBytes(text.ToString());
    }

    [Benchmark]
    public long Replay()
    {
        var replay = new TraceReplay(new TraceReplayOptions(), new TraceDiagnostics());
        TraceReader.Read(new MemoryStream(_trace, writable: false), replay);
        return replay.Counts.KmemEvents;
    }
}
