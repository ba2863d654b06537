namespace PageExt.Analysis.Reports;

/// <summary>One key's change between two dumps.</summary>
internal sealed record DiffEntry(string Key, string Label, long OldPages, long NewPages, long OldRecords, long NewRecords)
{
    public long DeltaPages => NewPages - OldPages;

    public long DeltaRecords => NewRecords - OldRecords;
}

/// <summary>
/// `pageext diff old new`: the leak hunter's view. For stacks, processes and allocator classes, what
/// grew and what shrank between two dumps, sorted by growth in pages (then by key, so the output is
/// stable), with the change in bytes.
/// </summary>
internal static class DiffReport
{
    public static IReadOnlyList<DiffEntry> Compare(DumpTotals before, DumpTotals after, Func<DumpTotals, Sort.GroupTable> table)
    {
        var entries = new Dictionary<string, DiffEntry>(StringComparer.Ordinal);
        foreach (var e in DumpTotals.Entries(table(before)))
        {
            entries[e.Key] = new DiffEntry(e.Key, e.Label, e.Pages, 0, e.Records, 0);
        }

        foreach (var e in DumpTotals.Entries(table(after)))
        {
            entries[e.Key] = entries.TryGetValue(e.Key, out var old)
                ? old with { NewPages = e.Pages, NewRecords = e.Records }
                : new DiffEntry(e.Key, e.Label, 0, e.Pages, 0, e.Records);
        }

        return entries.Values
            .Where(e => e.DeltaPages != 0 || e.DeltaRecords != 0)
            .OrderByDescending(e => e.DeltaPages)
            .ThenByDescending(e => e.DeltaRecords)
            .ThenBy(e => e.Key, StringComparer.Ordinal)
            .ToList();
    }

    public static void Write(TextWriter output, DumpTotals before, DumpTotals after, int limit, int pageBytes)
    {
        long delta = after.Pages - before.Pages;
        output.WriteLine($"old: {before.Records} records, {before.Pages} pages = {PageUnits.Human(before.Pages, pageBytes)}");
        output.WriteLine($"new: {after.Records} records, {after.Pages} pages = {PageUnits.Human(after.Pages, pageBytes)}");
        output.WriteLine($"change: {(delta >= 0 ? "+" : "")}{delta} pages = {PageUnits.SignedMib(delta, pageBytes)} MiB (at {pageBytes}-byte pages)");

        Section(output, "Stacks", Compare(before, after, t => t.Stacks), limit, pageBytes, multiline: true);
        Section(output, "Processes (tgid comm)", Compare(before, after, t => t.Processes), limit, pageBytes, multiline: false);
        Section(output, "Allocators", Compare(before, after, t => t.Allocators), limit, pageBytes, multiline: false);
    }

    private static string Signed(long value) => value >= 0 ? "+" + value : value.ToString();

    private static void Section(TextWriter output, string title, IReadOnlyList<DiffEntry> entries, int limit, int pageBytes, bool multiline)
    {
        var grew = entries.Where(e => e.DeltaPages > 0 || (e.DeltaPages == 0 && e.DeltaRecords > 0)).Take(limit).ToList();
        var shrank = entries.Where(e => e.DeltaPages < 0 || (e.DeltaPages == 0 && e.DeltaRecords < 0)).Reverse().Take(limit).ToList();
        foreach (var (label, list) in new[] { ("grew", grew), ("shrank", shrank) })
        {
            output.WriteLine();
            output.WriteLine($"{title} that {label} ({list.Count} shown):");
            output.WriteLine($"{"+/-pages",10} {"+/-MiB",9} {"old pages",10} {"new pages",10} {"+/-records",10}");
            foreach (var e in list)
            {
                string head = $"{Signed(e.DeltaPages),10} {PageUnits.SignedMib(e.DeltaPages, pageBytes),9} {e.OldPages,10} {e.NewPages,10} {Signed(e.DeltaRecords),10}";
                if (multiline)
                {
                    output.WriteLine(head);
                    foreach (var frame in e.Label.Split('\n', StringSplitOptions.RemoveEmptyEntries))
                    {
                        output.WriteLine($"{"",12}{frame.Trim()}");
                    }
                }
                else
                {
                    output.WriteLine($"{head}  {e.Label}");
                }
            }
        }
    }
}
