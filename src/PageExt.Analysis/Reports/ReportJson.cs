using System.Text.Json;

namespace PageExt.Analysis.Reports;

/// <summary>What the JSON of `top` and `diff` share: how an entry names what it counts.</summary>
internal static class ReportJson
{
    /// <summary>A stack as its frames in order, one string each; anything else as one label.</summary>
    public static void WriteLabel(Utf8JsonWriter json, string label, bool frames)
    {
        if (!frames)
        {
            json.WriteString("label", label);
            return;
        }

        json.WriteStartArray("frames");
        foreach (var frame in label.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            json.WriteStringValue(frame.Trim());
        }

        json.WriteEndArray();
    }
}
