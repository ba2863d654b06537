using System.Text;
using BenchmarkDotNet.Attributes;
using PageExt.Analysis.Trace;

namespace PageExt.Benchmarks.Trace;

[MemoryDiagnoser]
public class TmpPhases
{
    private byte[] _trace = [];

    [GlobalSetup]
    public void Setup()
    {
        var text = new StringBuilder();
        text.Append(KmemTraceGenerator.Header());
        new KmemTraceGenerator(seed: 7, false).Append(text, 32 << 20);
        _trace = Encoding.UTF8.GetBytes(text.ToString());
    }

    [Benchmark]
    public long Split()
    {
        long n = 0;
        var span = _trace.AsSpan();
        while (true)
        {
            int i = span.IndexOf((byte)'\n');
            if (i < 0) break;
            n += i;
            span = span[(i + 1)..];
        }
        return n;
    }

    [Benchmark]
    public long Parse()
    {
        long n = 0;
        var span = _trace.AsSpan();
        var parsed = default(TraceLine);
        while (true)
        {
            int i = span.IndexOf((byte)'\n');
            if (i < 0) break;
            TraceLineParser.Parse(span[..i], ref parsed);
            n += parsed.Pid;
            span = span[(i + 1)..];
        }
        return n;
    }

    [Benchmark]
    public long ParseFields()
    {
        long n = 0;
        var span = _trace.AsSpan();
        var parsed = default(TraceLine);
        while (true)
        {
            int i = span.IndexOf((byte)'\n');
            if (i < 0) break;
            TraceLineParser.Parse(span[..i], ref parsed);
            if (parsed.Kind == TraceLineKind.Event && KmemFields.TryParse(parsed.Fields, out var f, out _)) n += f.Order;
            span = span[(i + 1)..];
        }
        return n;
    }

    [Benchmark]
    public long Full()
    {
        var replay = new TraceReplay(new TraceReplayOptions(), new TraceDiagnostics());
        TraceReader.Read(new MemoryStream(_trace, writable: false), replay);
        return replay.Counts.KmemEvents;
    }
}
