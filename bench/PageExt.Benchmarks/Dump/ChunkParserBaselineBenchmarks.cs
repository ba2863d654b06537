#if BASELINE
extern alias baselineanalysis;

using System.Text;
using BenchmarkDotNet.Attributes;
using PageExt.Analysis.Dump;
using Old = baselineanalysis::PageExt.Analysis.Dump;

namespace PageExt.Benchmarks.Dump;

/// <summary>
/// <see cref="ChunkParserBenchmarks"/>'s chunk parsed by today's ChunkParser and by the one at
/// <c>BaselineRevision</c> (compiled beside it as PageExt.Analysis.Baseline), in one run. LF is the
/// common case, whole records in vectorised passes; CRLF sends every line through the line-by-line
/// path instead.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class ChunkParserBaselineBenchmarks
{
    private readonly ChunkParserBenchmarks.CountingSink _sink = new();
    private readonly OldCountingSink _oldSink = new();
    private DumpChunk _chunk = new([]);
    private Old.DumpChunk _oldChunk = new([]);

    [Params("LF", "CRLF")]
    public string Endings { get; set; } = "LF";

    [GlobalSetup]
    public void Setup()
    {
        int size = DumpChunkReader.DefaultChunkBytes;
        byte[] bytes = ChunkParserBenchmarks.ModernDump(Endings == "LF" ? size : size * 12 / 13);
        if (Endings == "CRLF")
        {
            bytes = Encoding.ASCII.GetBytes(Encoding.ASCII.GetString(bytes).Replace("\n", "\r\n", StringComparison.Ordinal));
        }

        _chunk = new DumpChunk(new byte[size]) { Length = bytes.Length, IsFinal = true };
        _oldChunk = new Old.DumpChunk(new byte[size]) { Length = bytes.Length, IsFinal = true };
        bytes.CopyTo(_chunk.Buffer, 0);
        bytes.CopyTo(_oldChunk.Buffer, 0);
    }

    [Benchmark(Baseline = true)]
    public long Before_split() => Old.ChunkParser.Parse(_oldChunk, _oldSink, keepPfnLines: false).Records;

    [Benchmark]
    public long After_split() => ChunkParser.Parse(_chunk, _sink, keepPfnLines: false).Records;

    private sealed class OldCountingSink : Old.IRecordSink
    {
        public long Records { get; private set; }

        public void Accept(in Old.RawRecord record, List<Old.DumpDiagnostic> diagnostics) => Records++;

        public void Reset() => Records = 0;
    }
}
#endif
