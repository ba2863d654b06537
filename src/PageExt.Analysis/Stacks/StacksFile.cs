using System.Globalization;
using System.Text.RegularExpressions;
using PageExt.Analysis.Inputs;
using PageExt.Analysis.Text;

namespace PageExt.Analysis.Stacks;

/// <summary>One call path of page_owner_stacks with the base pages it holds now (null when the file gave no count for it).</summary>
internal sealed record StackPages(long Line, IReadOnlyList<string> Frames, long? Pages, long? Handle);

/// <summary>
/// Reads /sys/kernel/debug/page_owner_stacks: show_stacks (v6.9+: frames, then "nr_base_pages: N"),
/// show_handles (v6.19: "handle: H", "nr_base_pages: N") and show_stacks_handles (v6.19: frames, then
/// "handle: H"), each entry ended by a blank line, or any of them concatenated: a handle's pages go to
/// the stack show_stacks_handles gives for it.
/// </summary>
/// <remarks>
/// The three files are views of one table, so a stack counted twice (by show_stacks and through its
/// handle) is counted once, the later count winning; a count that differs is named, since it means
/// the files were read at different times. A handle with no stack anywhere in the input keeps its
/// pages under "handle H".
/// </remarks>
internal static partial class StacksFile
{
    public static IReadOnlyList<StackPages> Read(Stream input, TextDiagnostics diagnostics)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(diagnostics);
        using var lines = new TextLines(input);
        var entries = new List<StackPages>();
        var frames = new List<string>();
        long framesLine = 0;
        long? handle = null;
        long handleLine = 0;

        void Unfinished(long line)
        {
            if (frames.Count > 0)
            {
                diagnostics.Add(framesLine, TextSeverity.Skipped, $"a stack of {frames.Count} frames ends at line {line} with no nr_base_pages or handle line");
                frames.Clear();
            }

            if (handle is { } h)
            {
                diagnostics.Add(handleLine, TextSeverity.Skipped, $"handle {h} has no nr_base_pages line after it");
                handle = null;
            }
        }

        while (lines.NextText(diagnostics) is { } line)
        {
            long number = lines.LineNumber;
            if (line.Length == 0)
            {
                Unfinished(number);
                continue;
            }

            if (line[0] == ' ' && line.Trim().Length > 0)
            {
                if (handle is not null)
                {
                    Unfinished(number);
                }

                if (frames.Count == 0)
                {
                    framesLine = number;
                }

                frames.Add(line.Trim());
                continue;
            }

            var match = CountLine().Match(line);
            if (!match.Success)
            {
                diagnostics.Add(number, TextSeverity.Skipped, $"not a page_owner_stacks line: '{(line.Length <= 80 ? line : line[..77] + "...")}'");
                continue;
            }

            if (!long.TryParse(match.Groups["value"].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out long value))
            {
                diagnostics.Add(number, TextSeverity.Skipped, $"'{match.Groups["value"].Value}' is out of range");
                continue;
            }

            bool isHandle = match.Groups["name"].Value == "handle";
            if (isHandle && frames.Count > 0)
            {
                entries.Add(new StackPages(framesLine, frames.ToArray(), null, value));
                frames.Clear();
            }
            else if (isHandle)
            {
                Unfinished(number);
                handle = value;
                handleLine = number;
            }
            else if (handle is { } h)
            {
                entries.Add(new StackPages(handleLine, [], value, h));
                handle = null;
            }
            else if (frames.Count > 0)
            {
                entries.Add(new StackPages(framesLine, frames.ToArray(), value, null));
                frames.Clear();
            }
            else
            {
                diagnostics.Add(number, TextSeverity.Skipped, "nr_base_pages with no stack or handle before it");
            }
        }

        Unfinished(lines.LineNumber + 1);
        return entries;
    }

    /// <summary>
    /// One entry per stack: its pages, with every handle's count moved to the stack show_stacks_handles
    /// names for it. Stacks listed without a count (show_stacks_handles alone) hold 0 pages.
    /// </summary>
    public static IReadOnlyList<(IReadOnlyList<string> Frames, long Pages)> PerStack(IReadOnlyList<StackPages> entries, TextDiagnostics diagnostics)
    {
        ArgumentNullException.ThrowIfNull(entries);
        ArgumentNullException.ThrowIfNull(diagnostics);
        var stackOfHandle = new Dictionary<long, IReadOnlyList<string>>();
        foreach (var entry in entries)
        {
            if (entry.Handle is { } h && entry.Frames.Count > 0)
            {
                stackOfHandle[h] = entry.Frames;
            }
        }

        var order = new List<string>();
        var stacks = new Dictionary<string, (IReadOnlyList<string> Frames, long Pages, long Line, bool Counted)>();
        foreach (var entry in entries)
        {
            var frames = entry.Frames.Count > 0 ? entry.Frames
                : entry.Handle is { } h && stackOfHandle.TryGetValue(h, out var known) ? known
                : [$"handle {entry.Handle} (its stack is in show_stacks_handles)"];
            string key = string.Join('\n', frames);
            if (!stacks.TryGetValue(key, out var seen))
            {
                order.Add(key);
                stacks[key] = (frames, entry.Pages ?? 0, entry.Line, entry.Pages is not null);
                continue;
            }

            if (entry.Pages is not { } pages)
            {
                continue;
            }

            if (seen.Counted && seen.Pages != pages)
            {
                diagnostics.Add(entry.Line, TextSeverity.Note, $"this stack held {seen.Pages} pages at line {seen.Line} and {pages} here: the files were read at different times; {pages} is kept");
            }

            stacks[key] = (frames, pages, entry.Line, true);
        }

        return order.Select(k => (stacks[k].Frames, stacks[k].Pages)).ToList();
    }

    [GeneratedRegex(@"^(?<name>nr_base_pages|handle): (?<value>\d+)\s*$")]
    private static partial Regex CountLine();
}
