using System.Text;
using PageExt.Analysis.Trace;

namespace PageExt.Analysis.Tests.Trace;

public sealed class TraceHostileInputTests
{
    private const long Second = 1_000_000_000;

    [Fact]
    public void Binary_junk_is_named_by_line_and_the_good_lines_around_it_still_count()
    {
        var random = new Random(20261127);
        var junk = new byte[4096];
        random.NextBytes(junk);
        junk.AsSpan().Replace((byte)'\n', (byte)0);
        junk[100] = (byte)'\n';
        var bytes = Encoding.ASCII.GetBytes(Ftrace.Alloc("a", 1, 0, Second, 0x100, 0))
            .Concat(junk).Append((byte)'\n')
            .Concat(Encoding.ASCII.GetBytes(Ftrace.Alloc("b", 2, 0, 2 * Second, 0x200, 0))).ToArray();
        var run = TraceRun.Of(bytes);
        Assert.Equal(2, run.Records);
        Assert.Equal(2, run.Diagnostics.Count);
        Assert.Equal([2L, 3L], run.Diagnostics.Kept.Select(d => d.Line).ToArray());
        Assert.All(run.Diagnostics.Kept, d => Assert.DoesNotContain('\0', d.Text));
    }

    [Fact]
    public void Truncated_lines_are_named_and_never_fatal()
    {
        string full = Ftrace.Alloc("a", 1, 0, Second, 0x100, 0);
        string trace = full[..20] + "\n" + full[..(full.IndexOf("order=", StringComparison.Ordinal) + 3)] + "\n" + Ftrace.Alloc("b", 2, 0, 2 * Second, 0x200, 0) + full[..(full.IndexOf("pfn=", StringComparison.Ordinal) + 2)];
        var run = TraceRun.Of(trace);
        Assert.Equal(1, run.Records);
        Assert.Contains("pid 2", run.Dump, StringComparison.Ordinal);
        Assert.Equal([1L, 2L, 4L], run.Diagnostics.Kept.Select(d => d.Line).ToArray());
    }

    [Fact]
    public void A_huge_line_is_skipped_by_number_and_the_next_line_is_read()
    {
        string trace = Ftrace.Alloc("a", 1, 0, Second, 0x100, 0)
            + "x" + new string('y', 3 * TraceReader.MaxLineBytes) + "\n"
            + Ftrace.Alloc("b", 2, 0, 2 * Second, 0x200, 0);
        var run = TraceRun.Of(trace);
        Assert.Equal(2, run.Records);
        Assert.Equal(3, run.Counts.Lines);
        var kept = Assert.Single(run.Diagnostics.Kept);
        Assert.Equal(2, kept.Line);
        Assert.Contains("line longer than", kept.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Crlf_line_endings_are_read_and_reported_once()
    {
        string trace = (Ftrace.Alloc("a", 1, 0, Second, 0x100, 0) + Ftrace.Stack("a", 1, 0, Second, "caller") + Ftrace.Alloc("b", 2, 0, Second, 0x200, 0)).Replace("\n", "\r\n", StringComparison.Ordinal);
        var run = TraceRun.Of(trace);
        Assert.Equal(2, run.Records);
        Assert.Contains(" caller\n", run.Dump, StringComparison.Ordinal);
        Assert.DoesNotContain('\r', run.Dump);
        Assert.Contains("CRLF", Assert.Single(run.Diagnostics.Kept).Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Hostile_orders_and_misaligned_pfns_are_refused_by_line()
    {
        var run = TraceRun.Of(
            "mm_page_alloc: pfn=0x100 order=64 migratetype=0 gfp_flags=GFP_KERNEL\n"
            + "mm_page_alloc: pfn=0x101 order=3 migratetype=0 gfp_flags=GFP_KERNEL\n"
            + "mm_page_free: pfn=0x100\n");
        Assert.Equal(0, run.Records);
        Assert.Equal([1L, 2L, 3L], run.Diagnostics.Kept.Select(d => d.Line).ToArray());
    }

    [Fact]
    public void A_flood_of_bad_lines_keeps_fifty_in_full_and_counts_the_rest()
    {
        var diagnostics = new TraceDiagnostics();
        var replay = new TraceReplay(new TraceReplayOptions(), diagnostics);
        var text = string.Concat(Enumerable.Repeat("not a trace line\n", 1000));
        TraceReader.Read(new MemoryStream(Encoding.ASCII.GetBytes(text)), replay);
        Assert.Equal(1000, diagnostics.Count);
        Assert.Equal(50, diagnostics.Kept.Count);
        var output = new StringWriter();
        diagnostics.WriteTo(output, "p");
        Assert.EndsWith("p: 950 more lines not understood, not shown\n", output.ToString().ReplaceLineEndings("\n"), StringComparison.Ordinal);
    }

    [Fact]
    public void A_stack_without_end_is_cut_at_its_limit()
    {
        var text = new StringBuilder(Ftrace.Alloc("a", 1, 0, Second, 0x100, 0));
        text.Append(Ftrace.Stack("a", 1, 0, Second, "first"));
        for (int i = 0; i < 10_000; i++)
        {
            text.Append(" => frame_number_").Append(i).Append('\n');
        }

        var run = TraceRun.Of(text.ToString());
        Assert.InRange(run.Dump.Length, 1, TraceReplay.MaxStackBytes + 300);
        Assert.Contains("stack longer than", run.DiagnosticText, StringComparison.Ordinal);
    }

    [Fact]
    public void Empty_input_reads_zero_events()
    {
        var run = TraceRun.Of([]);
        Assert.Equal((0L, 0L, 0L), (run.Records, run.Counts.KmemEvents, run.Diagnostics.Count));
    }
}
