namespace PageExt.Trace;

/// <summary>
/// The value of <c>trace_options=</c>: a comma-separated list of trace options, applied in order as
/// if written to the trace_options file, <c>no</c> before a name clearing it. PageExt's trace has
/// one option, <c>stacktrace</c>; any other name is an error rather than a silent no-op.
/// </summary>
public static class TraceOptionList
{
    /// <summary>The option that follows every event with a &lt;stack trace&gt; entry.</summary>
    public const string StackTrace = "stacktrace";

    public const string AllowedText = "comma-separated stacktrace or nostacktrace";

    /// <summary>Parses a list into whether stacktrace is on; null on success, else the entries not understood.</summary>
    public static string? TryParse(string value, out bool stacktrace)
    {
        stacktrace = false;
        var unknown = new List<string>();
        foreach (string entry in value.Split(','))
        {
            bool clear = entry.StartsWith("no", StringComparison.Ordinal);
            string name = clear ? entry[2..] : entry;
            if (name == StackTrace)
            {
                stacktrace = !clear;
            }
            else
            {
                unknown.Add(entry);
            }
        }

        return unknown.Count == 0 ? null : string.Join(", ", unknown.Select(u => $"'{u}'"));
    }
}
