using System.Text;
using PageExt.Analysis.Dump;

namespace PageExt.Analysis.Tests.Dump;

/// <summary>The line-by-line steps of one chunk's parse, on chunks built by hand (the reader's cuts are tested through sort).</summary>
public sealed class ChunkParserTests
{
    private const string Record = "Page allocated via order 0, mask 0xcc0(GFP_KERNEL), pid 1, tgid 1 (init), ts 5 ns\n";

    [Fact]
    public void A_chunk_that_begins_inside_a_paragraph_skips_it_but_keeps_its_pfn_line_s_allocator()
    {
        var sink = new CollectingSink();
        var chunk = Chunk(" tail_frame+0x1/0x2\nPFN 0x10 type Unmovable Block 0 type Unmovable Flags 0x0(slab|node=0|zone=0)\n\n" + Record + " frame+0x1/0x2\n\n");
        chunk.StartsInsideParagraph = true;

        var outcome = ChunkParser.Parse(chunk, sink, keepPfnLines: false);

        var (line, text, allocator) = Assert.Single(sink.Records);
        Assert.Equal(4, line);
        Assert.Equal(Record + " frame+0x1/0x2\n", text);
        Assert.Equal(KernelFields.AllocatorSlab, allocator);
        Assert.Empty(outcome.Diagnostics);
        Assert.Equal(6, outcome.Newlines);
    }

    [Fact]
    public void A_header_ends_the_continued_paragraph_without_a_missing_blank_line_report()
    {
        var sink = new CollectingSink();
        var chunk = Chunk(" tail_frame+0x1/0x2\n" + Record + "\n");
        chunk.StartsInsideParagraph = true;

        var outcome = ChunkParser.Parse(chunk, sink, keepPfnLines: false);

        Assert.Equal(2, Assert.Single(sink.Records).Line);
        Assert.Empty(outcome.Diagnostics);
    }

    [Fact]
    public void Crlf_lines_are_counted_from_the_first_one_and_the_pfn_line_stays_only_when_asked()
    {
        string text = Record + "PFN 0x10 type Movable Block 0 type Movable Flags 0x0(node=0|zone=0)\r\n frame+0x1/0x2\r\n\r\n";
        var dropped = new CollectingSink();
        var kept = new CollectingSink();

        var outcome = ChunkParser.Parse(Chunk(text), dropped, keepPfnLines: false);
        ChunkParser.Parse(Chunk(text), kept, keepPfnLines: true);

        Assert.Equal((3L, 2L), (outcome.CrlfLines, outcome.FirstCrlfLine));
        Assert.Equal(Record + " frame+0x1/0x2\n", Assert.Single(dropped.Records).Text);
        Assert.Equal(Record + "PFN 0x10 type Movable Block 0 type Movable Flags 0x0(node=0|zone=0)\n frame+0x1/0x2\n", Assert.Single(kept.Records).Text);
    }

    [Fact]
    public void Records_with_and_without_cr_lf_alternate_in_one_chunk_and_each_is_read_whole()
    {
        string crlf = (Record + " a+0x1/0x2\n\n").Replace("\n", "\r\n", StringComparison.Ordinal);
        string lf = Record + " b+0x1/0x2\n\n";
        var sink = new CollectingSink();

        var outcome = ChunkParser.Parse(Chunk(crlf + lf + crlf + lf), sink, keepPfnLines: false);

        Assert.Equal([1L, 4L, 7L, 10L], sink.Records.Select(r => r.Line));
        Assert.Equal([Record + " a+0x1/0x2\n", Record + " b+0x1/0x2\n", Record + " a+0x1/0x2\n", Record + " b+0x1/0x2\n"], sink.Records.Select(r => r.Text));
        Assert.Equal((6L, 1L), (outcome.CrlfLines, outcome.FirstCrlfLine));
        Assert.Empty(outcome.Diagnostics);
    }

    private static DumpChunk Chunk(string text)
    {
        byte[] bytes = Encoding.ASCII.GetBytes(text);
        return new DumpChunk(bytes) { Length = bytes.Length, IsFinal = true };
    }

    private sealed class CollectingSink : IRecordSink
    {
        public List<(long Line, string Text, int Allocator)> Records { get; } = [];

        public void Accept(in RawRecord record, List<DumpDiagnostic> diagnostics) =>
            Records.Add((record.Line, Encoding.ASCII.GetString(record.Text), record.PfnAllocator));

        public void Reset() => Records.Clear();
    }
}
