using System.Globalization;
using PageExt.Buddy;

namespace PageExt.Workloads;

/// <summary>
/// The workload file: one operation per line, so a run can be written down and replayed exactly.
/// <code>
/// # comment
/// alloc &lt;id&gt; &lt;order&gt; &lt;gfp&gt; &lt;site&gt;     gfp as 0xcc0 or GFP_KERNEL|__GFP_COMP
/// free &lt;id&gt; &lt;site&gt;
/// </code>
/// The site names the function the operation is made from; it becomes a real frame of the
/// recorded stack. Parsing keeps every well-formed line and reports each bad one with its line
/// number; a file with no operation at all is an error.
/// </summary>
public static class WorkloadFile
{
    public static (IReadOnlyList<WorkloadOp> Ops, IReadOnlyList<string> Errors) Parse(TextReader reader)
    {
        var ops = new List<WorkloadOp>();
        var errors = new List<string>();
        var live = new HashSet<string>(StringComparer.Ordinal);
        string? line;
        int number = 0;
        while ((line = reader.ReadLine()) is not null)
        {
            number++;
            string text = line.Trim();
            if (text.Length == 0 || text[0] == '#')
            {
                continue;
            }

            var fields = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            string? error = fields[0] switch
            {
                "alloc" => ParseAlloc(fields, number, live, ops),
                "free" => ParseFree(fields, number, live, ops),
                _ => $"unknown operation '{fields[0]}' (expected alloc or free)",
            };
            if (error is not null)
            {
                errors.Add($"line {number}: {error}");
            }
        }

        if (ops.Count == 0 && errors.Count == 0)
        {
            errors.Add("the workload has no operation");
        }

        return (ops, errors);
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

        if (!live.Remove(fields[1]))
        {
            return $"block '{fields[1]}' is not allocated at this point";
        }

        ops.Add(new WorkloadOp(line, WorkloadOpKind.Free, fields[1], 0, 0, fields[2]));
        return null;
    }

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
        output.Write("# pageext workload: alloc <id> <order> <gfp> <site> | free <id> <site>\n");
        foreach (var op in ops)
        {
            output.Write(op.Kind == WorkloadOpKind.Alloc
                ? $"alloc {op.Id} {op.Order} {GfpText(op.Gfp)} {op.Site}\n"
                : $"free {op.Id} {op.Site}\n");
        }
    }
}
