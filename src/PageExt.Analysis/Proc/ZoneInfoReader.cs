using System.Globalization;
using System.Text.RegularExpressions;
using PageExt.Analysis.Text;

namespace PageExt.Analysis.Proc;

/// <summary>
/// Reads /proc/zoneinfo of any kernel from 2.6.18 to today (mm/vmstat.c zoneinfo_show_print).
/// </summary>
/// <remarks>
/// <para>The file is a list of "name value" and "name: value" lines under each "Node N, zone NAME"
/// header, indented by what they belong to, and every kernel adds or moves some: vm_stat counters
/// come and go with each release (4 spaces before 4.8, 6 after), "per-node stats" appears under a
/// node's first populated zone in 4.8, "all_unreclaimable" became "node_unreclaimable",
/// "scanned" left and "boost", "cma" and "promo" came, 2.6.18 printed a hot and a cold pageset per
/// CPU ("cpu: 0 pcp: 1") and 6.7 added high_min/high_max. So the reader keeps the fields it draws
/// by name and accepts any other line of those two shapes without a word: a new counter is not a
/// fault. A line of neither shape, or a number that does not fit, is named with its line number
/// and skipped.</para>
/// </remarks>
internal static partial class ZoneInfoReader
{
    public static IReadOnlyList<ProcZoneInfo> Read(Stream input, TextDiagnostics diagnostics)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(diagnostics);
        using var lines = new TextLines(input);
        var zones = new List<ProcZoneInfo>();
        ProcZoneInfo? zone = null;
        bool nodeStats = false;
        (int Cpu, int List, Dictionary<string, long> Fields)? pageset = null;

        void FinishPageset()
        {
            if (pageset is { } p && zone is not null)
            {
                zone.Pagesets.Add(new ProcPageset(p.Cpu, p.List, p.Fields.GetValueOrDefault("count"), p.Fields.GetValueOrDefault("high"), p.Fields.GetValueOrDefault("batch"))
                {
                    HighMin = p.Fields.TryGetValue("high_min", out long min) ? min : null,
                    HighMax = p.Fields.TryGetValue("high_max", out long max) ? max : null,
                });
            }

            pageset = null;
        }

        while (lines.NextText(diagnostics) is { } raw)
        {
            long number = lines.LineNumber;
            string line = raw.TrimEnd();
            if (line.Length == 0)
            {
                continue;
            }

            Match match;
            if ((match = Header().Match(line)).Success)
            {
                FinishPageset();
                if (!int.TryParse(match.Groups["node"].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out int node))
                {
                    diagnostics.Add(number, TextSeverity.Skipped, $"node '{match.Groups["node"].Value}' is out of range");
                    zone = null;
                    continue;
                }

                zone = new ProcZoneInfo { Line = number, Node = node, Name = match.Groups["zone"].Value };
                zones.Add(zone);
                nodeStats = false;
                continue;
            }

            if (zone is null)
            {
                diagnostics.Add(number, TextSeverity.Skipped, $"before any \"Node N, zone NAME\" line: '{Cut(line)}'");
                continue;
            }

            if (line == "  per-node stats")
            {
                nodeStats = true;
                continue;
            }

            if (line == "  pagesets")
            {
                FinishPageset();
                continue;
            }

            if ((match = Protection().Match(line)).Success)
            {
                if (!TryNumbers(match.Groups["values"].Value, out var values))
                {
                    diagnostics.Add(number, TextSeverity.Skipped, $"a protection value is out of range: '{Cut(line)}'");
                    continue;
                }

                zone.Protection = values;
                continue;
            }

            if ((match = Cpu().Match(line)).Success)
            {
                FinishPageset();
                if (!int.TryParse(match.Groups["cpu"].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out int cpu))
                {
                    diagnostics.Add(number, TextSeverity.Skipped, $"cpu '{match.Groups["cpu"].Value}' is out of range");
                    continue;
                }

                int list = match.Groups["pcp"].Success && int.TryParse(match.Groups["pcp"].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out int l) ? l : 0;
                pageset = (cpu, list, new Dictionary<string, long>(StringComparer.Ordinal));
                continue;
            }

            if ((match = Field().Match(line)).Success)
            {
                string name = match.Groups["name"].Value;
                bool colon = match.Groups["colon"].Success;
                if (!long.TryParse(match.Groups["value"].ValueSpan, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value))
                {
                    diagnostics.Add(number, TextSeverity.Skipped, $"{name}: '{match.Groups["value"].Value}' is out of range");
                    continue;
                }

                if (colon)
                {
                    Colon(zone, pageset?.Fields, name, value);
                }
                else
                {
                    // The node's counters end where the zone's own lines begin.
                    nodeStats &= name != "pages free";
                    Named(zone, nodeStats, name, value);
                }

                continue;
            }

            diagnostics.Add(number, TextSeverity.Skipped, $"not a zoneinfo line: '{Cut(line)}'");
        }

        FinishPageset();
        return zones;
    }

    /// <summary>"name value" lines: the watermarks and sizes, or a counter of the zone or (under "per-node stats") of the node.</summary>
    private static void Named(ProcZoneInfo zone, bool nodeStats, string name, long value)
    {
        if (nodeStats)
        {
            zone.NodeCounters[name] = value;
            return;
        }

        switch (name)
        {
            case "pages free": zone.Free = value; break;
            case "boost": zone.Boost = value; break;
            case "min": zone.Min = value; break;
            case "low": zone.Low = value; break;
            case "high": zone.High = value; break;
            case "promo": zone.Promo = value; break;
            case "spanned": zone.Spanned = value; break;
            case "present": zone.Present = value; break;
            case "managed": zone.Managed = value; break;
            case "cma": zone.Cma = value; break;
            default: zone.Counters[name] = value; break;
        }
    }

    /// <summary>"name: value" lines: a pageset's count/high/batch/high_min/high_max, or the zone's closing fields.</summary>
    private static void Colon(ProcZoneInfo zone, Dictionary<string, long>? pageset, string name, long value)
    {
        if (pageset is not null && name is "count" or "high" or "batch" or "high_min" or "high_max")
        {
            pageset[name] = value;
            return;
        }

        switch (name)
        {
            case "start_pfn": zone.StartPfn = value; break;
            case "node_unreclaimable" or "all_unreclaimable": zone.Unreclaimable = value != 0; break;
            default: break;
        }
    }

    private static bool TryNumbers(string text, out long[] values)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        values = new long[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            if (!long.TryParse(parts[i], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out values[i]))
            {
                return false;
            }
        }

        return true;
    }

    private static string Cut(string line) => line.Length <= 80 ? line : line[..77] + "...";

    [GeneratedRegex(@"^Node +(?<node>\d+), zone +(?<zone>\S+)$")]
    private static partial Regex Header();

    [GeneratedRegex(@"^ +protection: \((?<values>-?\d+(?:, -?\d+)*)\)$")]
    private static partial Regex Protection();

    [GeneratedRegex(@"^ +cpu: (?<cpu>\d+)(?: pcp: (?<pcp>\d+))?$")]
    private static partial Regex Cpu();

    /// <summary>
    /// "  pages free     N", "        min      N", "      nr_free_pages N", "  start_pfn:  N",
    /// "  vm stats threshold: N", and 2.6's "        scanned  0 (a: 0 i: 0)" with its remark.
    /// </summary>
    [GeneratedRegex(@"^ +(?<name>[a-z][a-z0-9_]*(?: [a-z][a-z0-9_]*)*)(?<colon>:)? +(?<value>-?\d+)(?: \([a-z0-9:, ]*\))?$")]
    private static partial Regex Field();
}
