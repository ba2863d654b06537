using PageExt.Analysis.Reports;
using PageExt.Analysis.SortOutput;
using PageExt.Analysis.Stacks;
using PageExt.Analysis.Text;

namespace PageExt.Analysis.Inputs;

/// <summary>
/// The texts that sum a dump up instead of listing its records (page_owner_stacks, page_owner_sort's
/// output), read into the totals top, diff and report draw: stacks, and allocator classes where
/// printed; no records, processes or pageblocks.
/// </summary>
internal static class SummaryTotals
{
    public static bool IsSummary(InputKind kind) => kind is InputKind.PageOwnerStacks or InputKind.SortOutput;

    public static DumpTotals Load(InputKind kind, Stream input, TextDiagnostics diagnostics) => kind switch
    {
        InputKind.SortOutput => SortOutputReader.Load(input, diagnostics),
        InputKind.PageOwnerStacks => StackTotals.Load(input, diagnostics),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "not a summary text"),
    };
}
