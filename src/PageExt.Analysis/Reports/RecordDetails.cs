using System.Text;
using PageExt.Analysis.Dump;

namespace PageExt.Analysis.Reports;

/// <summary>
/// The fields of a record text broken out for machine-readable reports. Parsing is by shape, so
/// every generation works: 3.19 "mask 0x%x" with "[&lt;addr&gt;] sym" frames, 4.x-5.x without
/// pid/tgid, 5.11-6.6 with free_ts, and the modern record with its migrate and memcg lines.
/// </summary>
internal sealed class RecordDetails
{
    private RecordDetails()
    {
    }

    /// <summary>The order, or null when it is one no kernel records (<see cref="RecordOrder"/>): the
    /// record then counts 0 pages.</summary>
    public int? Order { get; private init; }

    public string? GfpMask { get; private init; }

    public IReadOnlyList<string> GfpFlags { get; private init; } = [];

    /// <summary>Stack frames, innermost first, without their leading space.</summary>
    public IReadOnlyList<string> Frames { get; private init; } = [];

    public string? MigrateReason { get; private init; }

    public bool SlabCachePage { get; private init; }

    /// <summary>The "Charged ..." line as printed.</summary>
    public string? Memcg { get; private init; }

    /// <summary>modern, v5.11-v6.6 (free_ts), v4.4-v5.10 (symbolic mask, no pid), 2014 (v3.19).</summary>
    public string Generation { get; private init; } = "modern";

    public static RecordDetails Parse(ReadOnlySpan<byte> text)
    {
        int firstEnd = text.IndexOf((byte)'\n');
        var first = firstEnd < 0 ? text : text[..firstEnd];
        int? order = RecordOrder.TryParse(text, out int o) ? o : null;

        string? mask = null;
        var flags = new List<string>();
        int maskAt = first.IndexOf("mask "u8);
        if (maskAt >= 0)
        {
            var rest = first[(maskAt + 5)..];
            int end = rest.IndexOfAny("(, "u8);
            mask = Decode(end < 0 ? rest : rest[..end]);
            if (end >= 0 && rest[end] == '(')
            {
                int close = rest.IndexOf((byte)')');
                if (close > end + 1)
                {
                    flags.AddRange(Decode(rest[(end + 1)..close]).Split('|'));
                }
            }
        }

        var frames = new List<string>();
        string? migrate = null;
        string? memcg = null;
        bool slab = false;
        bool bracketFrames = false;
        var lines = firstEnd < 0 ? [] : text[(firstEnd + 1)..];
        while (!lines.IsEmpty)
        {
            int end = lines.IndexOf((byte)'\n');
            var line = end < 0 ? lines : lines[..end];
            lines = end < 0 ? [] : lines[(end + 1)..];
            if (RecordLines.IsFrame(line))
            {
                var frame = line.TrimStart((byte)' ');
                bracketFrames |= frame.StartsWith("[<"u8);
                frames.Add(Decode(frame));
            }
            else if (line.StartsWith("Page has been migrated, last migrate reason: "u8))
            {
                migrate = Decode(line["Page has been migrated, last migrate reason: "u8.Length..]);
            }
            else if (line.SequenceEqual("Slab cache page"u8))
            {
                slab = true;
            }
            else if (line.StartsWith("Charged "u8))
            {
                memcg = Decode(line);
            }
        }

        string generation = first.IndexOf("free_ts"u8) >= 0 ? "v5.11-v6.6"
            : first.IndexOf("("u8) < 0 && bracketFrames ? "2014"
            : first.IndexOf(", pid "u8) < 0 ? "v4.4-v5.10"
            : "modern";

        return new RecordDetails
        {
            Order = order,
            GfpMask = mask,
            GfpFlags = flags,
            Frames = frames,
            MigrateReason = migrate,
            SlabCachePage = slab,
            Memcg = memcg,
            Generation = generation,
        };
    }

    /// <summary>The function of a frame: "[&lt;addr&gt;] " and "+0xoff/0xsize" removed, module kept.</summary>
    public static string FunctionOf(string frame)
    {
        string f = frame;
        if (f.StartsWith("[<", StringComparison.Ordinal) || f.StartsWith("[0x", StringComparison.Ordinal))
        {
            int close = f.IndexOf("] ", StringComparison.Ordinal);
            f = close < 0 ? f : f[(close + 2)..];
        }

        int plus = f.IndexOf('+', StringComparison.Ordinal);
        if (plus > 0)
        {
            int module = f.IndexOf(" [", plus, StringComparison.Ordinal);
            f = f[..plus] + (module > 0 ? f[module..] : string.Empty);
        }

        return f;
    }

    /// <summary>Dump text is bytes; invalid UTF-8 (a comm can hold anything) becomes U+FFFD.</summary>
    public static string Decode(ReadOnlySpan<byte> bytes) => Encoding.UTF8.GetString(bytes);
}
