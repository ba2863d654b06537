using System.Globalization;
using PageExt.Buddy;

namespace PageExt.Workloads;

/// <summary>
/// The workload file: one operation per line, so a run can be written down and replayed exactly.
/// <code>
/// # comment
/// alloc &lt;id&gt; &lt;order&gt; &lt;gfp&gt; &lt;site&gt;     gfp as 0xcc0 or GFP_KERNEL|__GFP_COMP
/// free &lt;id&gt; &lt;site&gt;
/// release &lt;id&gt; [&lt;id&gt;...] &lt;site&gt;          one batch free (release_pages)
/// </code>
/// The site names the function the operation is made from; it becomes a real frame of the
/// recorded stack. Parsing keeps every well-formed line and reports each bad one with its line
/// number; a file with no operation at all is an error.
/// </summary>
public static class WorkloadFile
{
    /// <summary>The longest line read; the rest of a longer one is skipped unread, so memory stays bounded.</summary>
    public const int MaxLineChars = 4096;

    /// <summary>KSYM_NAME_LEN: the longest symbol name the kernel prints.</summary>
    public const int MaxSiteChars = 512;

    /// <summary>
    /// Streams the operations of a workload file in bounded memory: one line at a time, plus the
    /// ids of the blocks allocated and not yet freed. Every bad line is reported to
    /// <paramref name="error"/> with its 1-based line number and skipped.
    /// </summary>
    public static IEnumerable<WorkloadOp> Read(TextReader reader, Action<int, string> error)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(error);
        var live = new HashSet<string>(StringComparer.Ordinal);
        var sites = new Dictionary<string, string>(StringComparer.Ordinal);
        var buffer = new char[MaxLineChars];
        int number = 0;
        while (true)
        {
            int length = ReadLine(reader, buffer, out bool tooLong, out bool end);
            if (end)
            {
                break;
            }

            number++;
            if (tooLong)
            {
                error(number, $"line longer than {MaxLineChars} characters");
                continue;
            }

            var text = buffer.AsSpan(0, length).Trim();
            if (text.IsEmpty || text[0] == '#')
            {
                continue;
            }

            int control = text.IndexOfAnyInRange('\0', '\x1f');
            if (control >= 0 && text[control] != '\t' || text.Contains('\x7f'))
            {
                int at = control >= 0 && text[control] != '\t' ? control : text.IndexOf('\x7f');
                error(number, $"control character U+{(int)text[at]:X4} at column {at + 1}");
                continue;
            }

            var fields = text.ToString().Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            var ops = new List<WorkloadOp>(1);
            string? message = fields[0] switch
            {
                "alloc" => ParseAlloc(fields, number, live, ops),
                "free" => ParseFree(fields, number, live, ops),
                "release" => ParseRelease(fields, number, live, ops),
                _ => $"unknown operation '{fields[0]}' (expected alloc, free or release)",
            };
            if (message is not null)
            {
                error(number, message);
                continue;
            }

            // One string per distinct site, however many lines name it.
            var op = ops[0];
            if (!sites.TryGetValue(op.Site, out var site))
            {
                sites.Add(op.Site, op.Site);
            }
            else
            {
                op = op with { Site = site };
            }

            yield return op;
        }
    }

    /// <summary>Reads a whole workload; kept for small files and tests (<see cref="Read"/> streams).</summary>
    public static (IReadOnlyList<WorkloadOp> Ops, IReadOnlyList<string> Errors) Parse(TextReader reader)
    {
        var errors = new List<string>();
        var ops = Read(reader, (line, message) => errors.Add($"line {line}: {message}")).ToList();
        if (ops.Count == 0 && errors.Count == 0)
        {
            errors.Add("the workload has no operation");
        }

        return (ops, errors);
    }

    /// <summary>Whether a site can be the name of a frame: a C symbol, with the compiler's '.' suffixes (foo.isra.0, foo.cold).</summary>
    public static bool IsSiteName(string site)
    {
        if (site.Length is 0 or > MaxSiteChars || !(char.IsAsciiLetter(site[0]) || site[0] == '_'))
        {
            return false;
        }

        foreach (char c in site)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '$'))
            {
                return false;
            }
        }

        return true;
    }

    /// <returns>The line's length in <paramref name="buffer"/>; past the buffer, the rest of the line is consumed and dropped.</returns>
    private static int ReadLine(TextReader reader, char[] buffer, out bool tooLong, out bool end)
    {
        int length = 0;
        tooLong = false;
        end = false;
        while (true)
        {
            int c = reader.Read();
            if (c < 0)
            {
                end = length == 0 && !tooLong;
                return length;
            }

            if (c == '\n')
            {
                if (length > 0 && buffer[length - 1] == '\r')
                {
                    length--;
                }

                return length;
            }

            if (length < buffer.Length)
            {
                buffer[length++] = (char)c;
            }
            else
            {
                tooLong = true;
            }
        }
    }

    private static string? ParseAlloc(string[] fields, int line, HashSet<string> live, List<WorkloadOp> ops)
    {
        if (fields.Length != 5)
        {
            return "alloc takes <id> <order> <gfp> <site>";
        }

        if (!int.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out int order) || order > PageOrder.Max)
        {
            return $"order '{fields[2]}' is not 0..{PageOrder.Max}";
        }

        if (!TryParseGfp(fields[3], out var gfp))
        {
            return $"gfp '{fields[3]}' is neither a hex mask nor GFP names joined by |";
        }

        if (PageAllocator.HasConflictingModifiers(gfp))
        {
            return $"gfp '{fields[3]}' combines zone or mobility modifiers that exclude each other (at most one of __GFP_DMA, __GFP_DMA32, __GFP_HIGHMEM; not both __GFP_MOVABLE and __GFP_RECLAIMABLE)";
        }

        if (!IsSiteName(fields[4]))
        {
            return SiteError(fields[4]);
        }

        if (!live.Add(fields[1]))
        {
            return $"block '{fields[1]}' is already allocated and not freed";
        }

        ops.Add(new WorkloadOp(line, WorkloadOpKind.Alloc, fields[1], order, gfp, fields[4]));
        return null;
    }

    private static string? ParseFree(string[] fields, int line, HashSet<string> live, List<WorkloadOp> ops)
    {
        if (fields.Length != 3)
        {
            return "free takes <id> <site>";
        }

        if (!IsSiteName(fields[2]))
        {
            return SiteError(fields[2]);
        }

        if (!live.Remove(fields[1]))
        {
            return $"block '{fields[1]}' is not allocated at this point";
        }

        ops.Add(new WorkloadOp(line, WorkloadOpKind.Free, fields[1], 0, 0, fields[2]));
        return null;
    }

    private static string? ParseRelease(string[] fields, int line, HashSet<string> live, List<WorkloadOp> ops)
    {
        if (fields.Length < 3)
        {
            return "release takes <id> [<id>...] <site>";
        }

        if (!IsSiteName(fields[^1]))
        {
            return SiteError(fields[^1]);
        }

        string[] ids = fields[1..^1];
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (string id in ids)
        {
            if (!seen.Add(id))
            {
                return $"block '{id}' is named twice in one release";
            }

            if (!live.Contains(id))
            {
                return $"block '{id}' is not allocated at this point";
            }
        }

        live.ExceptWith(ids);
        ops.Add(new WorkloadOp(line, WorkloadOpKind.Release, ids[0], 0, 0, fields[^1]) { Ids = ids });
        return null;
    }

    private static string SiteError(string site) =>
        $"site '{(site.Length > 64 ? site[..64] + "..." : site)}' is not a function name (a letter or _, then letters, digits, _ . $; at most {MaxSiteChars} characters)";

    private static bool TryParseGfp(string text, out GfpFlags gfp)
    {
        if (text.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            && uint.TryParse(text.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out uint mask))
        {
            gfp = (GfpFlags)mask;
            return true;
        }

        return GfpFlagNames.TryParse(text, out gfp);
    }

    private static string GfpText(GfpFlags gfp)
    {
        string names = GfpFlagNames.Format(gfp);
        return names.Length > 0 && GfpFlagNames.TryParse(names, out var back) && back == gfp
            ? names
            : "0x" + ((uint)gfp).ToString("x", CultureInfo.InvariantCulture);
    }

    /// <summary>Write operations back in the file's format (used to record a run for replay).</summary>
    public static void Write(TextWriter output, IEnumerable<WorkloadOp> ops)
    {
        WriteHeader(output);
        foreach (var op in ops)
        {
            WriteOp(output, op);
        }
    }

    /// <summary>The comment line a recorded workload starts with.</summary>
    public static void WriteHeader(TextWriter output) =>
        output.Write("# pageext workload: alloc <id> <order> <gfp> <site> | free <id> <site> | release <id>... <site>\n");

    /// <summary>One operation as one line, so a run can be recorded while it streams.</summary>
    public static void WriteOp(TextWriter output, WorkloadOp op) =>
        output.Write(op.Kind switch
        {
            WorkloadOpKind.Alloc => $"alloc {op.Id} {op.Order} {GfpText(op.Gfp)} {op.Site}\n",
            WorkloadOpKind.Free => $"free {op.Id} {op.Site}\n",
            _ => $"release {string.Join(' ', op.Ids)} {op.Site}\n",
        });
}
