namespace PageExt.Analysis.Reports;

/// <summary>
/// The three comparisons of two dumps that every diff format writes (text has its own layout;
/// JSON, CSV and the exit code read these), made in one place so that how stacks and processes are
/// matched is decided once for every format.
/// </summary>
internal sealed record DiffTables(IReadOnlyList<DiffEntry> Stacks, IReadOnlyList<DiffEntry> Processes, IReadOnlyList<DiffEntry> Allocators)
{
    public static DiffTables Compare(DumpTotals before, DumpTotals after, ProcessMatch match) => new(
        DiffReport.CompareStacks(before, after),
        DiffReport.CompareProcesses(before, after, match),
        DiffReport.CompareAllocators(before, after));

    /// <summary>Whether anything differs: diff(1)'s exit status 1.</summary>
    public bool Changed => Stacks.Count > 0 || Processes.Count > 0 || Allocators.Count > 0;
}
