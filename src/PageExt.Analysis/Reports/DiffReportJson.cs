using System.Text.Json;

namespace PageExt.Analysis.Reports;

/// <summary>
/// `pageext diff --format json`: both dumps' totals and every key that changed, in the order the
/// text report ranks them (growth in pages first).
/// </summary>
internal static class DiffReportJson
{
    public static void Write(Stream output, DumpTotals before, DumpTotals after, DiffTables tables, int pageBytes)
    {
        using var json = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteNumber("pageBytes", pageBytes);
        Totals(json, "old", before);
        Totals(json, "new", after);
        json.WriteNumber("deltaPages", after.Pages - before.Pages);
        Table(json, "stacks", tables.Stacks, frames: true);
        Table(json, "processes", tables.Processes, frames: false);
        Table(json, "allocators", tables.Allocators, frames: false);
        json.WriteEndObject();
    }

    private static void Totals(Utf8JsonWriter json, string name, DumpTotals totals)
    {
        json.WriteStartObject(name);
        json.WriteNumber("records", totals.Records);
        json.WriteNumber("pages", totals.Pages);
        json.WriteEndObject();
    }

    private static void Table(Utf8JsonWriter json, string name, IEnumerable<DiffEntry> entries, bool frames)
    {
        json.WriteStartArray(name);
        foreach (var entry in entries)
        {
            json.WriteStartObject();
            json.WriteNumber("deltaPages", entry.DeltaPages);
            json.WriteNumber("oldPages", entry.OldPages);
            json.WriteNumber("newPages", entry.NewPages);
            json.WriteNumber("deltaRecords", entry.DeltaRecords);
            json.WriteNumber("oldRecords", entry.OldRecords);
            json.WriteNumber("newRecords", entry.NewRecords);
            ReportJson.WriteLabel(json, entry.Label, frames);

            json.WriteEndObject();
        }

        json.WriteEndArray();
    }
}
