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
/// stable), with the change in bytes. Nothing run-specific decides a match: stacks match by the text
/// of their frames (addresses removed, <see cref="Dump.RecordLines.FrameIdentity"/>), processes by
/// name unless <see cref="ProcessMatch.Pid"/> is asked for, allocators by class.
/// </summary>
internal static class DiffReport
{
    /// <summary>Process ids shown per side in a by-name label before "+N".</summary>
    private const int ShownIds = 3;

    /// <param name="keepUnchanged">Keep keys whose pages and records did not change (the report's tables list them).</param>
    public static IReadOnlyList<DiffEntry> Compare(IReadOnlyList<TotalsEntry> before, IReadOnlyList<TotalsEntry> after, bool keepUnchanged = false)
    {
        var entries = new Dictionary<string, DiffEntry>(StringComparer.Ordinal);
        foreach (var e in before)
        {
            entries[e.Key] = new DiffEntry(e.Key, e.Label, e.Pages, 0, e.Records, 0);
        }

        foreach (var e in after)
        {
            entries[e.Key] = entries.TryGetValue(e.Key, out var old)
                ? old with { NewPages = e.Pages, NewRecords = e.Records }
                : new DiffEntry(e.Key, e.Label, 0, e.Pages, 0, e.Records);
        }

        return entries.Values
            .Where(e => keepUnchanged || e.DeltaPages != 0 || e.DeltaRecords != 0)
            .OrderByDescending(e => e.DeltaPages)
            .ThenByDescending(e => e.DeltaRecords)
            .ThenBy(e => e.Key, StringComparer.Ordinal)
            .ToList();
    }

    public static IReadOnlyList<DiffEntry> CompareStacks(DumpTotals before, DumpTotals after) =>
        Compare(DumpTotals.Entries(before.Stacks), DumpTotals.Entries(after.Stacks));

    public static IReadOnlyList<DiffEntry> CompareAllocators(DumpTotals before, DumpTotals after) =>
        Compare(DumpTotals.Entries(before.Allocators), DumpTotals.Entries(after.Allocators));

    /// <summary>Processes matched by tgid, or by name with every process of one name summed; a by-name
    /// label lists the ids on each side, "java [1778 -> 2213]".</summary>
    public static IReadOnlyList<DiffEntry> CompareProcesses(DumpTotals before, DumpTotals after, ProcessMatch match, bool keepUnchanged = false)
    {
        if (match == ProcessMatch.Pid)
        {
            return Compare(before.ProcessEntries(), after.ProcessEntries(), keepUnchanged);
        }

        var old = before.Processes();
        var now = after.Processes();

        // A process without a comm is known by its id, which its name already says.
        var idOnly = old.Concat(now).Where(p => p.Comm is null).Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        var oldIds = old.ToLookup(p => p.Name, p => p.Id, StringComparer.Ordinal);
        var newIds = now.ToLookup(p => p.Name, p => p.Id, StringComparer.Ordinal);
        return Compare(ByName(old), ByName(now), keepUnchanged)
            .Select(e => idOnly.Contains(e.Key) ? e : e with { Label = $"{e.Key} [{Ids(oldIds[e.Key])} -> {Ids(newIds[e.Key])}]" })
            .ToList();
    }

    public static void Write(TextWriter output, DumpTotals before, DumpTotals after, int limit, int pageBytes, ProcessMatch match = ProcessMatch.Name)
    {
        long delta = after.Pages - before.Pages;
        output.WriteLine($"old: {before.Records} records, {before.Pages} pages = {PageUnits.Human(before.Pages, pageBytes)}");
        output.WriteLine($"new: {after.Records} records, {after.Pages} pages = {PageUnits.Human(after.Pages, pageBytes)}");
        output.WriteLine($"change: {(delta >= 0 ? "+" : "")}{delta} pages = {PageUnits.SignedMib(delta, pageBytes)} MiB (at {pageBytes}-byte pages)");

        Section(output, "Stacks", CompareStacks(before, after), limit, pageBytes, multiline: true);
        Section(output, match == ProcessMatch.Pid ? "Processes (tgid comm)" : "Processes (name [tgids old -> new])",
            CompareProcesses(before, after, match), limit, pageBytes, multiline: false);
        Section(output, "Allocators", CompareAllocators(before, after), limit, pageBytes, multiline: false);
    }

    private static List<TotalsEntry> ByName(IReadOnlyList<ProcessTotals> processes) =>
        processes
            .GroupBy(p => p.Name, StringComparer.Ordinal)
            .Select(g => new TotalsEntry(g.Key, g.Key, g.Sum(p => p.Records), g.Sum(p => p.Pages)))
            .ToList();

    private static string Ids(IEnumerable<int> ids)
    {
        var sorted = ids.Order().ToList();
        if (sorted.Count == 0)
        {
            return "-";
        }

        var shown = string.Join(", ", sorted.Take(ShownIds).Select(id => id < 0 ? "?" : id.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        return sorted.Count > ShownIds ? $"{shown}, +{sorted.Count - ShownIds}" : shown;
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
