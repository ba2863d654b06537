using System.Globalization;

namespace PageExt.Analysis.Reports;

/// <summary>RFC 4180 fields: quoted when they hold a comma, quote or line break; numbers culture-invariant.</summary>
internal static class ReportCsv
{
    public static string Field(string text) =>
        text.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : text;

    public static string Field(long value) => value.ToString(CultureInfo.InvariantCulture);

    public static void Row(TextWriter output, params string[] fields) => output.Write(string.Join(',', fields) + "\n");

    /// <summary>A stack label (one frame a line, innermost first, as dumps print it) as one field: frames joined by ';'.</summary>
    public static string Frames(string label) =>
        string.Join(';', label.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(f => f.Trim()));
}
