using System.Text;
using PageExt.Analysis.Inputs;
using PageExt.Analysis.Reports;
using PageExt.Analysis.SortOutput;
using PageExt.Analysis.Text;

namespace PageExt.Analysis.Tests.SortOutput;

public sealed class SortOutputReaderTests
{
    private static (DumpTotals Totals, TextDiagnostics Diagnostics) Load(string text)
    {
        var diagnostics = new TextDiagnostics();
        return (SortOutputReader.Load(new MemoryStream(Encoding.Latin1.GetBytes(text)), diagnostics), diagnostics);
    }

    [Fact]
    public void The_2014_tool_counts_records_and_pages_come_from_the_order()
    {
        var (totals, diagnostics) = Load("3 times:\nPage allocated via order 2, mask 0x280da\n  [<ffffffff8116147e>] __alloc_pages_nodemask+0x1de/0xb00\n\n");
        Assert.Equal(0, diagnostics.Warnings);
        Assert.Equal((3L, 12L), (totals.Records, totals.Pages));
        var stack = Assert.Single(DumpTotals.Entries(totals.Stacks));
        Assert.Equal(("__alloc_pages_nodemask+0x1de/0xb00\n", 3L, 12L), (stack.Label, stack.Records, stack.Pages));
    }

    [Fact]
    public void Cull_allocator_lines_become_allocator_rows()
    {
        var (totals, _) = Load("23091 times, 23164 pages, allocated by OTHERS\n48 times, 48 pages, allocated by CMA\n");
        Assert.Equal([("OTHERS", 23164L), ("CMA", 48L)], DumpTotals.Entries(totals.Allocators).Select(e => (e.Label, e.Pages)));
        Assert.Equal(23212, totals.Pages);
    }

    [Fact]
    public void A_line_outside_any_group_is_named()
    {
        var (_, diagnostics) = Load("garbage\n1 times, 1 pages:\n");
        Assert.Equal((1L, TextSeverity.Skipped), (diagnostics.Kept[0].Line, diagnostics.Kept[0].Severity));
    }
}
