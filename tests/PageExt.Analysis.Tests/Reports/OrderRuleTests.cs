using System.Text;
using System.Text.Json;
using PageExt.Analysis.Dump;
using PageExt.Analysis.Reports;

namespace PageExt.Analysis.Tests.Reports;

/// <summary>
/// A record whose order no kernel records (above 22, or not a number) counts 0 pages in every output,
/// and is named with its line number; order 22, a 16 GiB gigantic folio, counts 2^22 as it should.
/// page_owner_sort would count order 31 as -2^31 pages, and the old `top` as +2^31.
/// </summary>
public sealed class OrderRuleTests
{
    /// <summary>Four lines per record: header, PFN, one frame, blank. Record k starts at line 4k + 1.</summary>
    private static string Record(string order, string frame, int pid = 1) =>
        $"Page allocated via order {order}, mask 0xcc0(GFP_KERNEL), pid {pid}, tgid {pid} (task{pid}), ts 10 ns\n"
        + "PFN 0x10 type Unmovable Block 0 type Unmovable Flags 0x0()\n"
        + $" {frame}+0x1/0x2\n\n";

    private static readonly string s_dump =
        Record("2", "order_two")                          // line 1: 4 pages
        + Record("31", "order_thirty_one")                // line 5: unusable
        + Record("23", "order_twenty_three")              // line 9: unusable
        + Record("22", "order_twenty_two")                // line 13: 4194304 pages, a gigantic folio
        + Record("99999999999999999999", "order_huge");   // line 17: unusable

    private static byte[] Bytes(string text) => Encoding.ASCII.GetBytes(text);

    private static DumpTotals Totals(string text, DiagnosticLog? log = null) =>
        DumpTotals.Load(new MemoryStream(Bytes(text)), log ?? new DiagnosticLog());

    [Fact]
    public void Unusable_orders_are_named_with_their_line_numbers_and_order_22_is_not()
    {
        var run = TestData.Sort(Bytes(s_dump));
        Assert.Equal([5L, 9L, 17L], run.Log.Kept.Select(d => d.Line));
        Assert.All(run.Log.Kept, d => Assert.Equal(DiagnosticKind.UnusableOrder, d.Kind));
        Assert.Contains("order 31 is above 22", run.Log.Kept[0].Detail, StringComparison.Ordinal);
        Assert.Contains("counted as 0 pages", run.Log.Kept[0].ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_record_without_an_order_is_named_and_counts_0_pages()
    {
        var run = TestData.Sort(Bytes(Record("", "no_order")), "--cull=st");
        Assert.Equal("1 times, 0 pages:\n no_order+0x1/0x2\n\n", run.Text);
        var diagnostic = Assert.Single(run.Log.Kept);
        Assert.Equal((1L, DiagnosticKind.UnusableOrder), (diagnostic.Line, diagnostic.Kind));
        Assert.Contains("no order", diagnostic.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Text_sort_counts_an_unusable_order_as_0_pages()
    {
        var run = TestData.Sort(Bytes(s_dump), "--cull=st");
        Assert.Contains("1 times, 0 pages:\n order_thirty_one+0x1/0x2\n", run.Text, StringComparison.Ordinal);
        Assert.Contains("1 times, 0 pages:\n order_twenty_three+0x1/0x2\n", run.Text, StringComparison.Ordinal);
        Assert.Contains("1 times, 0 pages:\n order_huge+0x1/0x2\n", run.Text, StringComparison.Ordinal);
        Assert.Contains("1 times, 4194304 pages:\n order_twenty_two+0x1/0x2\n", run.Text, StringComparison.Ordinal);
        Assert.Contains("1 times, 4 pages:\n order_two+0x1/0x2\n", run.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Json_counts_an_unusable_order_as_0_pages_with_a_null_order()
    {
        var run = TestData.Sort(Bytes(s_dump), "--format=json --cull=st");
        using var json = JsonDocument.Parse(run.Output);
        var groups = json.RootElement.GetProperty("groups").EnumerateArray()
            .ToDictionary(g => g.GetProperty("stack")[0].GetString()!, g => g);
        Assert.Equal(0, groups["order_thirty_one+0x1/0x2"].GetProperty("pages").GetInt64());
        Assert.Equal(JsonValueKind.Null, groups["order_thirty_one+0x1/0x2"].GetProperty("order").ValueKind);
        Assert.Equal(0, groups["order_huge+0x1/0x2"].GetProperty("pages").GetInt64());
        Assert.Equal(4194304, groups["order_twenty_two+0x1/0x2"].GetProperty("pages").GetInt64());
        Assert.Equal(22, groups["order_twenty_two+0x1/0x2"].GetProperty("order").GetInt32());
    }

    [Fact]
    public void Csv_counts_an_unusable_order_as_0_pages_with_an_empty_order()
    {
        var run = TestData.Sort(Bytes(s_dump), "--format=csv --cull=st");
        var lines = run.Text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var header = lines[0].Split(',');
        int pages = Array.IndexOf(header, "pages");
        int order = Array.IndexOf(header, "order");
        var row = lines.Single(l => l.EndsWith("order_thirty_one+0x1/0x2", StringComparison.Ordinal)).Split(',');
        Assert.Equal(("0", ""), (row[pages], row[order]));
        row = lines.Single(l => l.EndsWith("order_twenty_two+0x1/0x2", StringComparison.Ordinal)).Split(',');
        Assert.Equal(("4194304", "22"), (row[pages], row[order]));
    }

    [Fact]
    public void Folded_stacks_weigh_an_unusable_order_as_0_pages()
    {
        var run = TestData.Sort(Bytes(s_dump), "--format=folded");
        Assert.Equal(
            "order_huge 0\norder_thirty_one 0\norder_twenty_three 0\norder_twenty_two 4194304\norder_two 4\n",
            run.Text);
    }

    [Fact]
    public void Top_counts_an_unusable_order_as_0_pages_and_names_its_line()
    {
        var log = new DiagnosticLog();
        var totals = Totals(s_dump, log);
        Assert.Equal(5, totals.Records);
        Assert.Equal(4 + 4194304, totals.Pages);
        var stacks = DumpTotals.Entries(totals.Stacks).ToDictionary(e => e.Label.Trim(), e => e.Pages);
        Assert.Equal(0, stacks["order_thirty_one+0x1/0x2"]);
        Assert.Equal(0, stacks["order_huge+0x1/0x2"]);
        Assert.Equal([5L, 9L, 17L], log.Kept.Where(d => d.Kind == DiagnosticKind.UnusableOrder).Select(d => d.Line));
    }

    [Fact]
    public void Diff_counts_an_unusable_order_as_0_pages()
    {
        var before = Totals(Record("2", "order_two"));
        var after = Totals(Record("2", "order_two") + Record("31", "order_thirty_one"));
        var grown = Assert.Single(DiffReport.CompareStacks(before, after));
        Assert.Contains("order_thirty_one", grown.Label, StringComparison.Ordinal);
        Assert.Equal((0L, 1L), (grown.DeltaPages, grown.DeltaRecords));
        var text = new StringWriter();
        DiffReport.Write(text, before, after, limit: 10, pageBytes: 4096);
        Assert.Contains("change: +0 pages", text.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void The_2014_report_names_an_unusable_order_too()
    {
        var run = TestData.Sort(Bytes("Page allocated via order 40, mask 0xd0\nPFN 1 Block 0 type 0 Flags \n [<ffffffff81164e9a>] x+0x1/0x2\n\n"), "--compat=2014");
        var diagnostic = Assert.Single(run.Log.Kept);
        Assert.Equal((1L, DiagnosticKind.UnusableOrder), (diagnostic.Line, diagnostic.Kind));
    }
}
