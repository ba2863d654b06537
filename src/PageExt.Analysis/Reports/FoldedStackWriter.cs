using PageExt.Analysis.Sort;

namespace PageExt.Analysis.Reports;

/// <summary>
/// Folded stacks ("outer;...;inner pages") for flamegraph.pl and speedscope: one line per distinct
/// stack, weighted by pages, outermost frame first, function names without offsets so that
/// rebuilt kernels still fold together. Lines are sorted by stack for stable diffs.
/// </summary>
internal static class FoldedStackWriter
{
    public static void Write(ByteWriter output, IEnumerable<SortedGroup> groups)
    {
        var totals = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var group in groups)
        {
            var details = RecordDetails.Parse(group.Text.Span);
            var frames = details.Frames
                .Where(f => !f.EndsWith("0xffffffffffffffff", StringComparison.Ordinal))
                .Select(RecordDetails.FunctionOf)
                .Select(f => f.Replace(';', ':'))
                .Reverse()
                .ToList();
            string stack = frames.Count == 0 ? "[no stack]" : string.Join(';', frames);
            totals[stack] = totals.GetValueOrDefault(stack) + group.Pages;
        }

        foreach (var (stack, pages) in totals.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            output.Write(stack);
            output.Write((byte)' ');
            output.Write(pages);
            output.Write((byte)'\n');
        }
    }
}
