using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using PageExt.Analysis.Dump;
using PageExt.Analysis.Inputs;
using PageExt.Analysis.Reports;
using PageExt.Analysis.Text;

namespace PageExt.Analysis.SortOutput;

/// <summary>
/// Reads page_owner_sort's own output back into totals, so top, diff and report work on the sorted
/// files people post instead of their dumps: the 2014 tool's "N times:" followed by one record, and
/// the modern "N times, M pages[, allocated by CLASS]:" with a record, or alone with --cull.
/// </summary>
/// <remarks>
/// A group counts N records; its pages are M where the tool printed them, else N times the pages of
/// the record's order (the 2014 tool counted records only). A record's frames make its stack, keyed
/// as a dump's are (<see cref="RecordLines.FrameIdentity"/>); its allocator class, where printed,
/// makes an allocator row. Processes are not rebuilt: a group may hold many.
/// </remarks>
internal static partial class SortOutputReader
{
    /// <summary>True for a group's first line, in any generation of the tool.</summary>
    public static bool IsGroupHeader(string line) => GroupHeader().IsMatch(line);

    public static DumpTotals Load(Stream input, TextDiagnostics diagnostics)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(diagnostics);
        var totals = new DumpTotals();
        using var lines = new TextLines(input);
        (long Line, long Times, long? Pages, string? Allocator)? group = null;
        int order = -1;
        var frames = new StringBuilder();
        bool inRecord = false;

        void Finish()
        {
            if (group is not { } g)
            {
                return;
            }

            long pages = g.Pages ?? (order is >= 0 and < 32 ? g.Times << order : 0);
            if (g.Pages is null && order < 0)
            {
                diagnostics.Add(g.Line, TextSeverity.Skipped, $"{g.Times} times, but neither pages nor a record's order: counted as 0 pages");
            }

            if (frames.Length > 0)
            {
                totals.AddStack(Encoding.UTF8.GetBytes(frames.ToString()), g.Times, pages);
            }

            if (g.Allocator is { } allocator)
            {
                totals.AddAllocator(Encoding.UTF8.GetBytes(allocator), g.Times, pages);
            }

            totals.AddTotals(g.Times, pages);
            group = null;
            order = -1;
            frames.Clear();
            inRecord = false;
        }

        while (lines.Next() is { } line)
        {
            long number = lines.LineNumber;
            var header = GroupHeader().Match(line);
            if (header.Success)
            {
                Finish();
                if (!long.TryParse(header.Groups["times"].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out long times))
                {
                    diagnostics.Add(number, TextSeverity.Skipped, $"'{header.Groups["times"].Value} times' is out of range");
                    continue;
                }

                long? pages = header.Groups["pages"].Success && long.TryParse(header.Groups["pages"].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out long p) ? p : null;
                string? allocator = header.Groups["allocator"].Success ? header.Groups["allocator"].Value.Trim() : null;
                group = (number, times, pages, allocator);
                continue;
            }

            if (line.Length == 0)
            {
                Finish();
                continue;
            }

            if (group is null)
            {
                diagnostics.Add(number, TextSeverity.Skipped, $"outside any group (\"N times...\"): '{(line.Length <= 80 ? line : line[..77] + "...")}'");
                continue;
            }

            if (line.StartsWith("Page allocated via order ", StringComparison.Ordinal))
            {
                inRecord = true;
                var digits = line.AsSpan("Page allocated via order ".Length);
                int end = digits.IndexOfAnyExceptInRange('0', '9');
                order = int.TryParse(end < 0 ? digits : digits[..end], NumberStyles.None, CultureInfo.InvariantCulture, out int o) ? o : -1;
                continue;
            }

            if (inRecord && RecordLines.IsFrame(Encoding.UTF8.GetBytes(line)))
            {
                frames.Append(Encoding.UTF8.GetString(RecordLines.FrameIdentity(Encoding.UTF8.GetBytes(line)))).Append('\n');
                continue;
            }

            if (inRecord && RecordLines.IsField(Encoding.UTF8.GetBytes(line)))
            {
                continue;
            }

            diagnostics.Add(number, TextSeverity.Skipped, $"not part of a page_owner_sort group: '{(line.Length <= 80 ? line : line[..77] + "...")}'");
        }

        Finish();
        return totals;
    }

    [GeneratedRegex(@"^(?<times>\d+) times(?:, (?<pages>\d+) pages)?(?:, allocated by (?<allocator>[A-Z][A-Z ]*?))? ?:?\s*$")]
    private static partial Regex GroupHeader();
}
