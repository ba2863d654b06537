using System.Text;
using System.Text.Json;
using PageExt.Analysis.Dump;
using PageExt.Analysis.Reports;

namespace PageExt.Analysis.Tests.Reports;

public sealed class ReportTests
{
    private const string RecordA = "Page allocated via order 2, mask 0xcc0(GFP_KERNEL), pid 7, tgid 7 (alpha), ts 10 ns\nPFN 0x10 type Unmovable Block 0 type Unmovable Flags 0x0()\n leaf_a+0x1/0x2\n mid+0x3/0x4 [mod]\n root+0x5/0x6\n\n";
    private const string RecordB = "Page allocated via order 0, mask 0xcc0(GFP_KERNEL), pid 8, tgid 7 (beta), ts 20 ns\nPFN 0x14 type Movable Block 0 type CMA Flags 0x0()\n leaf_b+0x1/0x2\n root+0x5/0x6\nPage has been migrated, last migrate reason: compaction\n\n";

    private static DumpTotals Totals(string text) => DumpTotals.Load(new MemoryStream(Encoding.ASCII.GetBytes(text)), new DiagnosticLog());

    [Fact]
    public void Folded_output_is_outermost_first_without_offsets_weighted_by_pages()
    {
        var run = TestData.Sort(Encoding.ASCII.GetBytes(RecordA + RecordA + RecordB), "--format=folded");
        Assert.Equal("root;leaf_b 1\nroot;mid [mod];leaf_a 8\n", run.Text);
    }

    [Fact]
    public void Json_carries_every_field_in_report_order()
    {
        var run = TestData.Sort(Encoding.ASCII.GetBytes(RecordA + RecordB + RecordA), "--format=json -m");
        using var json = JsonDocument.Parse(run.Output);
        var groups = json.RootElement.GetProperty("groups");
        Assert.Equal(2, groups.GetArrayLength());
        var first = groups[0];
        Assert.Equal(2, first.GetProperty("times").GetInt64());
        Assert.Equal(8, first.GetProperty("pages").GetInt64());
        Assert.Equal("alpha", first.GetProperty("comm").GetString());
        Assert.Equal(2, first.GetProperty("order").GetInt32());
        Assert.Equal("0xcc0", first.GetProperty("gfp_mask").GetString());
        Assert.Equal(3, first.GetProperty("stack").GetArrayLength());
        Assert.Equal(1, first.GetProperty("first_line").GetInt64());
        var second = groups[1];
        Assert.Equal("CMA", second.GetProperty("allocator")[0].GetString());
        Assert.Equal("compaction", second.GetProperty("migrate_reason").GetString());
        Assert.Equal(8, second.GetProperty("pid").GetInt32());
    }

    [Fact]
    public void Csv_has_a_header_and_one_quoted_row_per_group()
    {
        var run = TestData.Sort(Encoding.ASCII.GetBytes(RecordA + RecordB), "--format=csv --cull=st");
        var lines = run.Text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.StartsWith("times,pages,allocator,pid,tgid,comm,", lines[0], StringComparison.Ordinal);
        Assert.Equal("a,\"b\"\"c\",d", string.Join(',', new[] { "a", "b\"c", "d" }.Select(ReportCsv.Field)));
    }

    [Fact]
    public void Top_totals_stacks_processes_and_allocators()
    {
        var totals = Totals(RecordA + RecordA + RecordB);
        Assert.Equal(3, totals.Records);
        Assert.Equal(9, totals.Pages);
        var process = Assert.Single(totals.Processes());
        Assert.Equal(("7 alpha", 9L, 3L), (process.Label, process.Pages, process.Records));
        var allocators = DumpTotals.Entries(totals.Allocators).ToDictionary(e => e.Label, e => e.Records);
        Assert.Equal(2, allocators["OTHERS"]);
        Assert.Equal(1, allocators["CMA"]);

        var text = new StringWriter();
        TopReport.Write(text, totals, limit: 10, pageBytes: 4096);
        string report = text.ToString();
        Assert.StartsWith("3 records, 9 pages = 0.0 MiB", report, StringComparison.Ordinal);
        Assert.True(report.IndexOf("leaf_a", StringComparison.Ordinal) < report.IndexOf("leaf_b", StringComparison.Ordinal), "the bigger stack comes first");
    }

    [Fact]
    public void Diff_reports_growth_and_shrinkage_by_pages()
    {
        var before = Totals(RecordA + RecordB + RecordB);
        var after = Totals(RecordA + RecordA + RecordA + RecordB);
        var stacks = DiffReport.CompareStacks(before, after);
        Assert.Equal(2, stacks.Count);
        Assert.Contains("leaf_a", stacks[0].Label, StringComparison.Ordinal);
        Assert.Equal(8, stacks[0].DeltaPages);
        Assert.Contains("leaf_b", stacks[1].Label, StringComparison.Ordinal);
        Assert.Equal(-1, stacks[1].DeltaPages);
        Assert.Empty(DiffReport.CompareProcesses(after, after, ProcessMatch.Name));

        var text = new StringWriter();
        DiffReport.Write(text, before, after, limit: 5, pageBytes: 4096);
        Assert.Contains("change: +7 pages", text.ToString(), StringComparison.Ordinal);
    }
}
