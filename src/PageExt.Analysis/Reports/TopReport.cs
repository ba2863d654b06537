namespace PageExt.Analysis.Reports;

/// <summary>
/// `pageext top`: what holds the memory, in MiB, the way vendors' crash tools summarise page_owner
/// data: the biggest stacks (with their frames), the biggest processes, and the allocator classes.
/// A process is a thread group, whatever its threads are called (<see cref="ProcessTotals"/>).
/// </summary>
internal static class TopReport
{
    public static void Write(TextWriter output, DumpTotals totals, int limit, int pageBytes)
    {
        output.WriteLine($"{totals.Records} records, {totals.Pages} pages = {PageUnits.Human(totals.Pages, pageBytes)} (at {pageBytes}-byte pages)");
        output.WriteLine();

        var stacks = Ranked(DumpTotals.Entries(totals.Stacks));
        output.WriteLine($"Top stacks by memory ({Math.Min(limit, stacks.Count)} of {stacks.Count}):");
        output.WriteLine($"{"MiB",10} {"pages",10} {"records",9} {"share",6}");
        foreach (var entry in stacks.Take(limit))
        {
            output.WriteLine($"{PageUnits.Mib(entry.Pages, pageBytes),10} {entry.Pages,10} {entry.Records,9} {Share(entry.Pages, totals.Pages),6}");
            foreach (var frame in entry.Label.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                output.WriteLine($"{"",28}{frame.Trim()}");
            }
        }

        output.WriteLine();
        var processes = Ranked(totals.ProcessEntries());
        output.WriteLine($"Top processes by memory ({Math.Min(limit, processes.Count)} of {processes.Count}; by tgid, named by the thread-group leader):");
        output.WriteLine($"{"MiB",10} {"pages",10} {"records",9} {"share",6}  tgid comm");
        foreach (var entry in processes.Take(limit))
        {
            output.WriteLine($"{PageUnits.Mib(entry.Pages, pageBytes),10} {entry.Pages,10} {entry.Records,9} {Share(entry.Pages, totals.Pages),6}  {entry.Label}");
        }

        output.WriteLine();
        output.WriteLine("Allocators (page_owner_sort's classes):");
        output.WriteLine($"{"MiB",10} {"pages",10} {"records",9} {"share",6}  allocator");
        foreach (var entry in Ranked(DumpTotals.Entries(totals.Allocators)))
        {
            output.WriteLine($"{PageUnits.Mib(entry.Pages, pageBytes),10} {entry.Pages,10} {entry.Records,9} {Share(entry.Pages, totals.Pages),6}  {entry.Label}");
        }
    }

    internal static List<TotalsEntry> Ranked(IReadOnlyList<TotalsEntry> entries) =>
        entries.OrderByDescending(e => e.Pages).ThenByDescending(e => e.Records).ThenBy(e => e.Key, StringComparer.Ordinal).ToList();

    private static string Share(long part, long whole) => whole == 0 ? "-" : $"{part * 100.0 / whole:F1}%";
}
