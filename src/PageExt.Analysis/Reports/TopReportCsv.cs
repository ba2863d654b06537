namespace PageExt.Analysis.Reports;

/// <summary>
/// `pageext top --format csv`: one table for all three: table (stack, process, allocator), pages,
/// records, label; every entry, biggest first within each table.
/// </summary>
internal static class TopReportCsv
{
    public static void Write(TextWriter output, DumpTotals totals)
    {
        ReportCsv.Row(output, "table", "pages", "records", "label");
        foreach (var (table, entries, frames) in new[]
        {
            ("stack", DumpTotals.Entries(totals.Stacks), true),
            ("process", totals.ProcessEntries(), false),
            ("allocator", DumpTotals.Entries(totals.Allocators), false),
        })
        {
            foreach (var entry in TopReport.Ranked(entries))
            {
                ReportCsv.Row(output, table, ReportCsv.Field(entry.Pages), ReportCsv.Field(entry.Records), ReportCsv.Field(frames ? ReportCsv.Frames(entry.Label) : entry.Label));
            }
        }
    }
}
