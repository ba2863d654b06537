namespace PageExt.Cli.Workloads;

/// <summary>
/// Line-numbered diagnostics printed as they come, the first <see cref="DetailLimitPerKind"/> of
/// each kind in full and the rest counted, then summarised as sort summarises a dump's: a hostile
/// input cannot turn stderr into a second copy of itself, and nothing is passed over silently.
/// </summary>
internal sealed class CappedLog
{
    private readonly TextWriter _writer;
    private readonly string _prefix;
    private readonly Dictionary<string, long> _counts = new(StringComparer.Ordinal);

    public CappedLog(TextWriter writer, string prefix, int detailLimitPerKind = 50)
    {
        _writer = writer;
        _prefix = prefix;
        DetailLimitPerKind = detailLimitPerKind;
    }

    public int DetailLimitPerKind { get; }

    public long Count(string kind) => _counts.GetValueOrDefault(kind);

    public void Add(string kind, string message)
    {
        long count = _counts.GetValueOrDefault(kind) + 1;
        _counts[kind] = count;
        if (count <= DetailLimitPerKind)
        {
            _writer.WriteLine($"{_prefix}: {message}");
        }
    }

    /// <summary>One line per kind whose details were cut, then one summary line if anything was reported.</summary>
    public void WriteSummary()
    {
        foreach (var (kind, count) in _counts)
        {
            if (count > DetailLimitPerKind)
            {
                _writer.WriteLine($"{_prefix}: {count - DetailLimitPerKind} more '{kind}' diagnostics not shown");
            }
        }

        if (_counts.Count > 0)
        {
            _writer.WriteLine($"{_prefix}: summary: " + string.Join(", ", _counts.Select(p => $"{p.Key}: {p.Value}")));
        }
    }
}
