using System.Globalization;
using System.Text.RegularExpressions;

namespace PageExt.Tests.Trace;

/// <summary>
/// A reading of the trace text that checks every line against the v5.15+ ftrace layout exactly
/// (any other line fails the test) and replays it into the blocks held at the end, splitting a held
/// block when part of it is freed, as page_owner's split_page_owner does.
/// </summary>
internal sealed partial class TraceText
{
    private TraceText(List<TraceEvent> events, List<string> headers)
    {
        Events = events;
        Headers = headers;
    }

    public IReadOnlyList<TraceEvent> Events { get; }

    public IReadOnlyList<string> Headers { get; }

    public static TraceText Parse(string text)
    {
        var events = new List<TraceEvent>();
        var headers = new List<string>();
        var lines = text.Split('\n');
        Assert.Equal("", lines[^1]);
        for (int i = 0; i < lines.Length - 1; i++)
        {
            string line = lines[i];
            if (line.StartsWith('#'))
            {
                headers.Add(line);
                continue;
            }

            var m = Context().Match(line);
            Assert.True(m.Success, $"line {i + 1} is not an ftrace line: '{line}'");
            string body = m.Groups["body"].Value;
            if (body == "<stack trace>")
            {
                var last = events[^1];
                Assert.Equal(last.Cpu, int.Parse(m.Groups["cpu"].Value, CultureInfo.InvariantCulture));
                var frames = new List<string>();
                while (lines[i + 1].StartsWith(" => ", StringComparison.Ordinal))
                {
                    frames.Add(lines[++i][4..]);
                }

                events[^1] = last with { Stack = frames };
                continue;
            }

            var e = Event().Match(body);
            if (!e.Success)
            {
                e = OtherEvent().Match(body);
            }

            Assert.True(e.Success, $"line {i + 1} is not a kmem page event: '{body}'");
            ulong pfn = ulong.Parse(e.Groups["pfn"].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            Assert.Equal((0xffffea0000000000UL + (pfn * 64)).ToString("x16", CultureInfo.InvariantCulture), e.Groups["page"].Value);
            events.Add(new TraceEvent(
                m.Groups["comm"].Value.TrimStart(),
                int.Parse(m.Groups["pid"].Value, CultureInfo.InvariantCulture),
                m.Groups["tgid"].Success ? int.Parse(m.Groups["tgid"].Value, CultureInfo.InvariantCulture) : -1,
                int.Parse(m.Groups["cpu"].Value, CultureInfo.InvariantCulture),
                (long.Parse(m.Groups["s"].Value, CultureInfo.InvariantCulture) * 1_000_000) + long.Parse(m.Groups["us"].Value, CultureInfo.InvariantCulture),
                e.Groups["name"].Value,
                pfn,
                int.Parse(e.Groups["order"].Value, CultureInfo.InvariantCulture),
                e.Groups["mt"].Success ? int.Parse(e.Groups["mt"].Value, CultureInfo.InvariantCulture) : -1,
                e.Groups["gfp"].Success ? e.Groups["gfp"].Value : null,
                [],
                Fields(e.Groups["fields"].Value)));
        }

        return new TraceText(events, headers);
    }

    /// <summary>The blocks held after every event, by pfn: an allocation adds one, a free removes it or the part of a held block it covers.</summary>
    public SortedDictionary<ulong, TraceEvent> Replay()
    {
        var held = new SortedDictionary<ulong, TraceEvent>();
        foreach (var e in Events.Where(e => e.Name is "mm_page_alloc" or "mm_page_free"))
        {
            if (e.Name == "mm_page_alloc")
            {
                Assert.False(held.ContainsKey(e.Pfn), $"pfn 0x{e.Pfn:x} allocated twice");
                held[e.Pfn] = e;
                continue;
            }

            if (held.TryGetValue(e.Pfn, out var exact) && exact.Order == e.Order)
            {
                held.Remove(e.Pfn);
                continue;
            }

            // Part of a larger held block: split it into order-0 pages that keep its owner, then free the part.
            var (head, block) = held.Last(h => h.Key <= e.Pfn);
            Assert.True(e.Pfn + (1UL << e.Order) <= head + (1UL << block.Order), $"free of pfn 0x{e.Pfn:x} order {e.Order}: no held block covers it");
            held.Remove(head);
            for (ulong p = head; p < head + (1UL << block.Order); p++)
            {
                if (p < e.Pfn || p >= e.Pfn + (1UL << e.Order))
                {
                    held[p] = block with { Pfn = p, Order = 0 };
                }
            }
        }

        return held;
    }

    [GeneratedRegex(@"^(?<comm>[ \S]{16})-(?<pid>\d+) +(?:\( *(?<tgid>\d+)\) )?\[(?<cpu>\d{3})\] \.{5} +(?<s>\d+)\.(?<us>\d{6}): (?<body>.*)$")]
    private static partial Regex Context();

    /// <summary>The numeric fields after pfn=, by name.</summary>
    private static Dictionary<string, int> Fields(string text) =>
        text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(f => f.Split('=')).ToDictionary(f => f[0], f => int.Parse(f[1], CultureInfo.InvariantCulture));

    [GeneratedRegex(@"^(?<name>mm_page_alloc|mm_page_free): page=(?<page>[0-9a-f]{16}) pfn=0x(?<pfn>[0-9a-f]+) order=(?<order>\d+)(?: migratetype=(?<mt>\d) gfp_flags=(?<gfp>\S+))?$")]
    private static partial Regex Event();

    /// <summary>The other four events, exactly in kmem.h's field order (v5.19+).</summary>
    [GeneratedRegex(@"^(?<name>mm_page_free_batched|mm_page_alloc_zone_locked|mm_page_pcpu_drain|mm_page_alloc_extfrag): page=(?<page>[0-9a-f]{16}) pfn=0x(?<pfn>[0-9a-f]+) (?<fields>(?<=mm_page_free_batched: \S+ \S+ )order=(?<order>0)|(?<=mm_page_alloc_zone_locked: \S+ \S+ )order=(?<order>\d+) migratetype=(?<mt>\d) percpu_refill=[01]|(?<=mm_page_pcpu_drain: \S+ \S+ )order=(?<order>\d+) migratetype=(?<mt>\d)|(?<=mm_page_alloc_extfrag: \S+ \S+ )alloc_order=(?<order>\d+) fallback_order=\d+ pageblock_order=9 alloc_migratetype=(?<mt>\d) fallback_migratetype=\d fragmenting=[01] change_ownership=[01])$")]
    private static partial Regex OtherEvent();
}

/// <summary>One event; <see cref="Fields"/> holds every numeric field after pfn= (empty for mm_page_alloc and mm_page_free).</summary>
internal sealed record TraceEvent(string Comm, int Pid, int Tgid, int Cpu, long TimestampUs, string Name, ulong Pfn, int Order, int Migratetype, string? Gfp, List<string> Stack, Dictionary<string, int> Fields);
