using System.Text.Json;

namespace PageExt.Analysis.Reports;

/// <summary>
/// `pageext top --format json`: the totals of a dump as one document, every entry of every table,
/// biggest first. Stacks carry their frames as an array, innermost first as the dump prints them.
/// </summary>
internal static class TopReportJson
{
    public static void Write(Stream output, DumpTotals totals, int pageBytes)
    {
        using var json = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteNumber("records", totals.Records);
        json.WriteNumber("pages", totals.Pages);
        json.WriteNumber("pageBytes", pageBytes);
        Table(json, "stacks", TopReport.Ranked(DumpTotals.Entries(totals.Stacks)), frames: true);
        Table(json, "processes", TopReport.Ranked(totals.ProcessEntries()), frames: false);
        Table(json, "allocators", TopReport.Ranked(DumpTotals.Entries(totals.Allocators)), frames: false);
        json.WriteEndObject();
    }

    private static void Table(Utf8JsonWriter json, string name, IEnumerable<TotalsEntry> entries, bool frames)
    {
        json.WriteStartArray(name);
        foreach (var entry in entries)
        {
            json.WriteStartObject();
            json.WriteNumber("pages", entry.Pages);
            json.WriteNumber("records", entry.Records);
            ReportJson.WriteLabel(json, entry.Label, frames);

            json.WriteEndObject();
        }

        json.WriteEndArray();
    }
}
