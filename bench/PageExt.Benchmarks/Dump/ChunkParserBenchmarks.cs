using System.Text;
using BenchmarkDotNet.Attributes;
using PageExt.Analysis.Dump;

namespace PageExt.Benchmarks.Dump;

/// <summary>
/// The reader's hot path alone: one thread splitting a 4 MiB chunk of a modern dump into records,
/// with a sink that only counts them, so nothing but the line scanning is measured. A third of the
/// records carry a memcg line, as on a machine with cgroups.
/// </summary>
[MemoryDiagnoser]
public class ChunkParserBenchmarks
{
    private readonly CountingSink _sink = new();
    private DumpChunk _chunk = new([]);

    [GlobalSetup]
    public void Setup()
    {
        var bytes = ModernDump(DumpChunkReader.DefaultChunkBytes);
        _chunk = new DumpChunk(new byte[DumpChunkReader.DefaultChunkBytes]) { Length = bytes.Length, IsFinal = true };
        bytes.CopyTo(_chunk.Buffer, 0);
    }

    /// <summary>Whole records of a modern dump (seed 7), as many as fit in <paramref name="maxBytes"/>.</summary>
    internal static byte[] ModernDump(int maxBytes)
    {
        var random = new Random(7);
        var text = new StringBuilder();
        while (true)
        {
            int stack = random.Next(300);
            var record = new StringBuilder();
            record.Append($"Page allocated via order {stack % 3}, mask 0x152cca(GFP_HIGHUSER_MOVABLE|__GFP_NOWARN|__GFP_NORETRY|__GFP_COMP), pid {100 + stack}, tgid {100 + stack} (java), ts {random.NextInt64(1_000_000_000, 300_000_000_000_000)} ns\n");
            record.Append($"PFN 0x{random.Next(0x100, 0x800000):x} type Movable Block {random.Next(16384)} type Movable Flags 0x7ffffc0020068(uptodate|lru|head|mappedtodisk|node=0|zone=2)\n");
            record.Append(" post_alloc_hook+0x159/0x10c0\n get_page_from_freelist+0x54/0x760\n __alloc_pages_noprof+0x168/0x190\n");
            for (int frame = 0; frame < 10; frame++)
            {
                record.Append($" caller_{stack}_{frame}+0x{stack * 16 + frame:x}/0x{1000 + frame:x}\n");
            }

            if (stack % 3 == 0)
            {
                record.Append("Charged to memcg app.slice\n");
            }

            record.Append('\n');
            if (text.Length + record.Length > maxBytes)
            {
                break;
            }

            text.Append(record);
        }

        return Encoding.ASCII.GetBytes(text.ToString());
    }

    [Benchmark]
    public long Parse() => ChunkParser.Parse(_chunk, _sink, keepPfnLines: false).Records;

    internal sealed class CountingSink : IRecordSink
    {
        public long Records { get; private set; }

        public void Accept(in RawRecord record, List<DumpDiagnostic> diagnostics) => Records++;

        public void Reset() => Records = 0;
    }
}
