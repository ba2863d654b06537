using System.Net;
using System.Text;
using System.Text.Json;

namespace PageExt.Analysis.Pictures;

/// <summary>
/// The self-contained HTML report: the page, its stylesheet and script (Assets/, the project's own)
/// and the aggregated data as one JSON block, all in one file that makes no request and opens from
/// file://. The JSON writer escapes '&lt;', '&gt;' and '&amp;', so no string in a dump (a comm, a
/// frame) can close the script element that holds it.
/// </summary>
internal static class HtmlReport
{
    private const string StyleMarker = "/*{{style}}*/";
    private const string ScriptMarker = "/*{{script}}*/";
    private const string DataMarker = "{{data}}";
    private const string TitleMarker = "{{title}}";

    public static void Write(Stream output, ReportData data)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(data);
        string page = Assets.Read("report.html")
            .Replace(TitleMarker, WebUtility.HtmlEncode(data.Title), StringComparison.Ordinal)
            .Replace(StyleMarker, Assets.Read("report.css"), StringComparison.Ordinal)
            .Replace(ScriptMarker, Assets.Read("report.js"), StringComparison.Ordinal);
        int dataAt = page.IndexOf(DataMarker, StringComparison.Ordinal);
        if (dataAt < 0)
        {
            throw new InvalidOperationException("report.html has no data marker");
        }

        var utf8 = new UTF8Encoding(false);
        output.Write(utf8.GetBytes(page[..dataAt]));
        using (var json = new Utf8JsonWriter(output))
        {
            data.Write(json);
        }

        output.Write(utf8.GetBytes(page[(dataAt + DataMarker.Length)..]));
        output.Flush();
    }
}
