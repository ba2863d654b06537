namespace PageExt.Boot;

/// <summary>
/// The value of <c>trace_options=</c>: a comma-separated list of trace options, applied in order as
/// if written to the trace_options file, <c>no</c> before a name clearing it. PageExt's trace has
/// two of the kernel's options, <c>stacktrace</c> and <c>record-tgid</c>; any other name is an
/// error rather than a silent no-op.
/// </summary>
public static class TraceOptionList
{
    /// <summary>The option that follows every event with a &lt;stack trace&gt; entry.</summary>
    public const string StackTrace = "stacktrace";

    /// <summary>The option that adds the tgid column, "(%7d) ", after comm-pid (v4.13+).</summary>
    public const string RecordTgid = "record-tgid";

    public const string AllowedText = "comma-separated stacktrace, record-tgid, each with an optional no prefix";

    private static readonly (string Name, TraceOptions Option)[] s_options =
    [
        (StackTrace, TraceOptions.StackTrace),
        (RecordTgid, TraceOptions.RecordTgid),
    ];

    /// <summary>Parses a list into the options left on; null on success, else the entries not understood.</summary>
    public static string? TryParse(string value, out TraceOptions options)
    {
        options = TraceOptions.None;
        var unknown = new List<string>();
        foreach (string entry in value.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            bool clear = entry.StartsWith("no", StringComparison.Ordinal);
            string name = clear ? entry[2..] : entry;
            var option = s_options.FirstOrDefault(o => o.Name == name).Option;
            if (option == TraceOptions.None)
            {
                unknown.Add(entry);
            }
            else if (clear)
            {
                options &= ~option;
            }
            else
            {
                options |= option;
            }
        }

        return unknown.Count == 0 ? null : string.Join(", ", unknown.Select(u => $"'{u}'"));
    }

    /// <summary>The list that sets exactly <paramref name="options"/>; null for none.</summary>
    public static string? Format(TraceOptions options) =>
        options == TraceOptions.None ? null : string.Join(',', s_options.Where(o => (options & o.Option) != 0).Select(o => o.Name));
}

/// <summary>The trace options PageExt has.</summary>
[Flags]
public enum TraceOptions
{
    None = 0,

    /// <summary>stacktrace: a &lt;stack trace&gt; entry after every event.</summary>
    StackTrace = 1,

    /// <summary>record-tgid: the tgid column.</summary>
    RecordTgid = 2,
}
