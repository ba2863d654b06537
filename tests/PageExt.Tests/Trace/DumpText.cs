using System.Globalization;
using System.Text.RegularExpressions;

namespace PageExt.Tests.Trace;

/// <summary>The records of a modern page_owner dump, by pfn: the owner fields a trace also carries.</summary>
internal static partial class DumpText
{
    public static SortedDictionary<ulong, DumpRecord> Parse(string dump)
    {
        var records = new SortedDictionary<ulong, DumpRecord>();
        foreach (string block in dump.Split("\n\n", StringSplitOptions.RemoveEmptyEntries))
        {
            var lines = block.Split('\n');
            var h = Header().Match(lines[0]);
            Assert.True(h.Success, $"not a record header: '{lines[0]}'");
            var p = PfnLine().Match(lines[1]);
            Assert.True(p.Success, $"not a PFN line: '{lines[1]}'");
            ulong pfn = ulong.Parse(p.Groups["pfn"].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            records[pfn] = new DumpRecord(
                int.Parse(h.Groups["order"].Value, CultureInfo.InvariantCulture),
                h.Groups["gfp"].Value,
                int.Parse(h.Groups["pid"].Value, CultureInfo.InvariantCulture),
                h.Groups["comm"].Value,
                long.Parse(h.Groups["ts"].Value, CultureInfo.InvariantCulture),
                [.. lines.Skip(2).Select(l => l[1..])]);
        }

        return records;
    }

    [GeneratedRegex(@"^Page allocated via order (?<order>\d+), mask 0x[0-9a-f]+\((?<gfp>[^)]*)\), pid (?<pid>\d+), tgid \d+ \((?<comm>.*)\), ts (?<ts>\d+) ns$")]
    private static partial Regex Header();

    [GeneratedRegex(@"^PFN 0x(?<pfn>[0-9a-f]+) ")]
    private static partial Regex PfnLine();
}

internal sealed record DumpRecord(int Order, string Gfp, int Pid, string Comm, long TimestampNs, List<string> Stack);
