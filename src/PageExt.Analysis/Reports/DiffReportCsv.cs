namespace PageExt.Analysis.Reports;

/// <summary>`pageext diff --format csv`: table, deltas, old and new pages and records, label; every changed key.</summary>
internal static class DiffReportCsv
{
    public static void Write(TextWriter output, DiffTables tables)
    {
        ReportCsv.Row(output, "table", "delta_pages", "old_pages", "new_pages", "delta_records", "old_records", "new_records", "label");
        foreach (var (table, entries, frames) in new[]
        {
            ("stack", tables.Stacks, true),
            ("process", tables.Processes, false),
            ("allocator", tables.Allocators, false),
        })
        {
            foreach (var e in entries)
            {
                ReportCsv.Row(output, table, ReportCsv.Field(e.DeltaPages), ReportCsv.Field(e.OldPages), ReportCsv.Field(e.NewPages),
                    ReportCsv.Field(e.DeltaRecords), ReportCsv.Field(e.OldRecords), ReportCsv.Field(e.NewRecords),
                    ReportCsv.Field(frames ? ReportCsv.Frames(e.Label) : e.Label));
            }
        }
    }
}
