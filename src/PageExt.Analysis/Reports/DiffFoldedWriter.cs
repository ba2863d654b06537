namespace PageExt.Analysis.Reports;

/// <summary>
/// `pageext diff --format folded`: what FlameGraph's difffolded.pl writes, "stack old new" with the
/// stack's frames outermost first joined by ';' and weighted by pages, so `flamegraph.pl` draws a
/// differential flame graph (red grew, blue shrank). Function names lose their +offset/size, as
/// in `sort --format=folded`, so rebuilt binaries still fold together; every stack of either dump
/// is listed, unchanged ones too, as difffolded.pl does. Lines are sorted by stack.
/// </summary>
internal static class DiffFoldedWriter
{
    public static void Write(TextWriter output, DumpTotals before, DumpTotals after)
    {
        var counts = new SortedDictionary<string, (long Old, long New)>(StringComparer.Ordinal);
        foreach (var entry in DumpTotals.Entries(before.Stacks))
        {
            string stack = Fold(entry.Label);
            var (old, @new) = counts.GetValueOrDefault(stack);
            counts[stack] = (old + entry.Pages, @new);
        }

        foreach (var entry in DumpTotals.Entries(after.Stacks))
        {
            string stack = Fold(entry.Label);
            var (old, @new) = counts.GetValueOrDefault(stack);
            counts[stack] = (old, @new + entry.Pages);
        }

        foreach (var (stack, (old, @new)) in counts)
        {
            output.Write($"{stack} {old} {@new}\n");
        }
    }

    private static string Fold(string label)
    {
        var frames = label.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(f => f.Trim())
            .Where(f => f.Length > 0 && !f.EndsWith("0xffffffffffffffff", StringComparison.Ordinal))
            .Select(f => RecordDetails.FunctionOf(f).Replace(';', ':'))
            .Reverse()
            .ToList();
        return frames.Count == 0 ? "[no stack]" : string.Join(';', frames);
    }
}
