using System.Text;
using PageExt.Analysis.Dump;
using PageExt.Analysis.Reports;
using PageExt.Analysis.Sort;

namespace PageExt.Analysis.Tests.Dump;

/// <summary>
/// A line inside a record that is neither a frame nor a line page_owner prints stays in the record's
/// text, as page_owner_sort keeps it, and is named with its line number, once per record.
/// </summary>
public sealed class UnrecognisedLineTests
{
    private const string Header = "Page allocated via order 0, mask 0xcc0(GFP_KERNEL), pid 5, tgid 5 (task), ts 123 ns\n";
    private const string Pfn = "PFN 0x10 type Unmovable Block 0 type Unmovable Flags 0x0()\n";

    private static byte[] Bytes(string text) => Encoding.ASCII.GetBytes(text);

    private static string Record(params string[] lines) => Header + Pfn + string.Concat(lines.Select(l => l + "\n")) + "\n";

    [Fact]
    public void The_line_is_kept_in_the_report_as_page_owner_sort_keeps_it()
    {
        // page_owner_sort's default report: the text with the PFN line out and the ts digits cut.
        var run = TestData.Sort(Bytes(Record(" leaf+0x1/0x2", "\tcontinued from the mail", " root+0x3/0x4")));
        Assert.Equal(
            "1 times, 1 pages, allocated by OTHERS :\n"
            + "Page allocated via order 0, mask 0xcc0(GFP_KERNEL), pid 5, tgid 5 (task), ts  ns\n"
            + " leaf+0x1/0x2\n\tcontinued from the mail\n root+0x3/0x4\n\n",
            run.Text);
    }

    [Fact]
    public void The_line_is_named_with_its_line_number_and_quoted()
    {
        var run = TestData.Sort(Bytes(Record(" leaf+0x1/0x2") + Record(" leaf+0x1/0x2", "\tcontinued from the mail", " root+0x3/0x4")));
        var diagnostic = Assert.Single(run.Log.Kept);
        Assert.Equal((DiagnosticKind.UnrecognisedLine, 8L), (diagnostic.Kind, diagnostic.Line));
        Assert.Equal(
            "line 8: kept: \"?continued from the mail\" is neither a stack frame nor a line page_owner prints; kept in the record's text, as page_owner_sort keeps it",
            diagnostic.ToString());
        Assert.Equal(1, run.Log.Warnings);
    }

    [Fact]
    public void Lines_page_owner_prints_are_not_reported()
    {
        var run = TestData.Sort(Bytes(Record(
            " post_alloc_hook+0x1/0x2",
            "[<ffffffff81164e9a>] __alloc_pages_nodemask+0x15a/0xa30",
            "[0xc01528c6] __handle_mm_fault+598",
            "Page has been migrated, last migrate reason: compaction",
            "Slab cache page",
            "Charged (via objcg) to offline memcg /app.slice")));
        Assert.Equal(0, run.Log.Total);
    }

    [Fact]
    public void Several_such_lines_in_a_record_make_one_diagnostic_that_counts_them()
    {
        var run = TestData.Sort(Bytes(Record(" a+0x1/0x2", "x", " b+0x1/0x2", "y", "z")));
        var diagnostic = Assert.Single(run.Log.Kept);
        Assert.Equal(4, diagnostic.Line);
        Assert.Contains("\"x\" is neither", diagnostic.Detail, StringComparison.Ordinal);
        Assert.Contains("(2 more such lines in this record, the last at line 7)", diagnostic.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(12)]
    public void The_line_by_line_path_names_the_same_lines_as_the_whole_record_path(int junkLines)
    {
        // More than eight lines without a leading space, or CR LF endings, send a record down the
        // line-by-line path; the diagnostics must not depend on the path taken.
        string text = Record(" a+0x1/0x2") + Record([" a+0x1/0x2", .. Enumerable.Repeat("junk", junkLines), " b+0x1/0x2"]) + Record(" c+0x1/0x2");
        var whole = TestData.Sort(Bytes(text));
        var lineByLine = TestData.Sort(Bytes(text.Replace("\n", "\r\n", StringComparison.Ordinal)));
        var expected = Assert.Single(whole.Log.Kept);
        Assert.Equal(8, expected.Line);
        Assert.Equal(
            [expected],
            lineByLine.Log.Kept.Where(d => d.Kind != DiagnosticKind.CrlfLineEndings));
        Assert.Equal(whole.Output, lineByLine.Output);
    }

    [Fact]
    public void Diagnostics_are_capped_per_kind_and_summarised()
    {
        string text = string.Concat(Enumerable.Range(0, 60).Select(i => Record($" f{i}+0x1/0x2", "junk")));
        var log = new DiagnosticLog();
        using var source = DumpSource.Wrap(new MemoryStream(Bytes(text)), ownsStream: true);
        var options = SortCommandLine.Parse(["-", "-"]).Options!;
        SortReport.Run(options, source, Stream.Null, log);
        Assert.Equal(60, log.Count(DiagnosticKind.UnrecognisedLine));
        Assert.Equal(50, log.Kept.Count);
        var stderr = new StringWriter();
        log.WriteTo(stderr, "pageext sort: x");
        string written = stderr.ToString();
        Assert.Contains("pageext sort: x: 10 more 'unrecognised lines' diagnostics not shown", written, StringComparison.Ordinal);
        Assert.Contains("pageext sort: x: summary: 0 skipped, 0 repaired, 60 kept with unrecognised lines (unrecognised lines: 60)", written, StringComparison.Ordinal);
    }

    [Fact]
    public void Control_bytes_in_a_quoted_line_cannot_reach_the_terminal()
    {
        var run = TestData.Sort(Bytes(Record(" a+0x1/0x2", "\u001b[2Jcleared")));
        Assert.Contains("\"?[2Jcleared\"", Assert.Single(run.Log.Kept).Detail, StringComparison.Ordinal);
    }
}
