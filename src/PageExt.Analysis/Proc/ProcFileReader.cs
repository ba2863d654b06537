using System.Globalization;
using System.Text.RegularExpressions;
using PageExt.Analysis.Inputs;
using PageExt.Analysis.Text;

namespace PageExt.Analysis.Proc;

/// <summary>
/// Reads /proc/buddyinfo and /proc/pagetypeinfo (every generation: Reserve and CMA columns, 11 or
/// more orders, the page_owner "Number of mixed blocks" table). Lines that a mail client wrapped
/// (a row of numbers alone, or a header's last type names alone) are joined to the line before and
/// named; any other line the files do not print is named and skipped.
/// </summary>
internal static partial class ProcFileReader
{
    public static ProcFreeAreas Read(Stream input, TextDiagnostics diagnostics)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(diagnostics);
        using var lines = new TextLines(input);
        int pageblockOrder = -1;
        var zones = new List<(int Node, string Name, long[] Free)>();
        var blocks = new List<ProcBlockCount>();
        string[] blockTypes = [];
        bool mixed = false;

        var all = new List<(long Line, string Text)>();
        while (lines.NextText(diagnostics) is { } line)
        {
            all.Add((lines.LineNumber, line.TrimEnd()));
        }

        for (int i = 0; i < all.Count; i++)
        {
            var (number, text) = all[i];

            // A mail client's wrap: the next line holds only what the long line lost.
            while (i + 1 < all.Count && IsContinuation(text, all[i + 1].Text))
            {
                diagnostics.Add(number, TextSeverity.Repaired, $"goes on at line {all[i + 1].Line} (wrapped, as mail clients do); joined");
                text = text + " " + all[i + 1].Text.Trim();
                i++;
            }

            if (text.Length == 0 || text.StartsWith("Pages per block:", StringComparison.Ordinal) || text.StartsWith("Free pages count per migrate type at order", StringComparison.Ordinal))
            {
                continue;
            }

            Match match;
            if ((match = BlockOrder().Match(text)).Success)
            {
                pageblockOrder = int.Parse(match.Groups[1].ValueSpan, CultureInfo.InvariantCulture);
            }
            else if ((match = TableHeader().Match(text)).Success)
            {
                mixed = match.Groups["kind"].Value == "mixed";
                blockTypes = match.Groups["types"].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            }
            else if ((match = FreeRow().Match(text)).Success)
            {
                AddFree(match.Groups["node"].Value, match.Groups["zone"].Value, match.Groups["counts"].Value, number);
            }
            else if ((match = ZoneRow().Match(text)).Success)
            {
                var counts = Numbers(match.Groups["counts"].Value);
                if (blockTypes.Length > 0)
                {
                    if (counts.Length != blockTypes.Length)
                    {
                        diagnostics.Add(number, TextSeverity.Skipped, $"{counts.Length} counts under {blockTypes.Length} block types");
                        continue;
                    }

                    for (int t = 0; t < counts.Length; t++)
                    {
                        blocks.Add(new ProcBlockCount(int.Parse(match.Groups["node"].ValueSpan, CultureInfo.InvariantCulture), match.Groups["zone"].Value, blockTypes[t], counts[t], mixed));
                    }
                }
                else
                {
                    AddFree(match.Groups["node"].Value, match.Groups["zone"].Value, match.Groups["counts"].Value, number);
                }
            }
            else
            {
                diagnostics.Add(number, TextSeverity.Skipped, $"not a buddyinfo or pagetypeinfo line: '{(text.Length <= 80 ? text : text[..77] + "...")}'");
            }
        }

        return new ProcFreeAreas(pageblockOrder, zones.Select(z => new ProcFreeZone(z.Node, z.Name, z.Free)).ToArray(), blocks);

        void AddFree(string node, string zone, string countText, long line)
        {
            var counts = Numbers(countText);
            int nodeNumber = int.Parse(node, CultureInfo.InvariantCulture);
            int at = zones.FindIndex(z => z.Node == nodeNumber && z.Name == zone);
            if (at < 0)
            {
                zones.Add((nodeNumber, zone, new long[counts.Length]));
                at = zones.Count - 1;
            }

            var free = zones[at].Free;
            if (free.Length != counts.Length)
            {
                diagnostics.Add(line, TextSeverity.Skipped, $"{counts.Length} orders where this zone's other lines have {free.Length}");
                return;
            }

            for (int o = 0; o < counts.Length; o++)
            {
                free[o] += counts[o];
            }
        }
    }

    private static bool IsContinuation(string line, string next)
    {
        if (next.Length == 0 || next.StartsWith("Node", StringComparison.Ordinal) || next.StartsWith('#'))
        {
            return false;
        }

        bool numbers = NumbersOnly().IsMatch(next);
        bool words = WordsOnly().IsMatch(next);
        return (numbers && (line.StartsWith("Node", StringComparison.Ordinal) || line.StartsWith("Free pages count", StringComparison.Ordinal)))
            || (words && line.StartsWith("Number of ", StringComparison.Ordinal));
    }

    private static long[] Numbers(string text) =>
        text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(n => long.Parse(n, CultureInfo.InvariantCulture)).ToArray();

    [GeneratedRegex(@"^Page block order: (\d+)$")]
    private static partial Regex BlockOrder();

    [GeneratedRegex(@"^Number of (?<kind>blocks type|mixed blocks) +(?<types>[A-Za-z][A-Za-z ]*)$")]
    private static partial Regex TableHeader();

    [GeneratedRegex(@"^Node +(?<node>\d+), zone +(?<zone>\S+), type +\S+(?<counts>( +\d{1,18})+)$")]
    private static partial Regex FreeRow();

    [GeneratedRegex(@"^Node +(?<node>\d+), zone +(?<zone>\S+)(?<counts>( +\d{1,18})+)$")]
    private static partial Regex ZoneRow();

    [GeneratedRegex(@"^ *\d+( +\d+)* *$")]
    private static partial Regex NumbersOnly();

    [GeneratedRegex(@"^ *[A-Za-z]+( +[A-Za-z]+)* *$")]
    private static partial Regex WordsOnly();
}
