namespace PageExt.Analysis.Trace;

/// <summary>
/// The lines of a trace that were not understood, or understood but not usable, each named by its
/// 1-based line number. The first <see cref="DetailLimit"/> are kept in full and the rest counted,
/// as the dump reader does, so a binary or hostile input cannot turn stderr into a copy of itself.
/// None of them stops the reading.
/// </summary>
internal sealed class TraceDiagnostics
{
    private readonly List<(long Line, string Text)> _kept = [];

    public TraceDiagnostics(int detailLimit = 50)
    {
        DetailLimit = detailLimit;
    }

    public int DetailLimit { get; }

    /// <summary>Every diagnostic, kept or only counted.</summary>
    public long Count { get; private set; }

    public IReadOnlyList<(long Line, string Text)> Kept => _kept;

    /// <summary>Records one; <paramref name="line"/> is the original text, shown cut to 120 characters.</summary>
    public void Add(long lineNumber, string problem, ReadOnlySpan<byte> line)
    {
        if (++Count > DetailLimit)
        {
            return;
        }

        _kept.Add((lineNumber, $"{problem}: '{Excerpt(line)}'"));
    }

    /// <summary>Records one that has no line text worth showing.</summary>
    public void Add(long lineNumber, string problem)
    {
        if (++Count <= DetailLimit)
        {
            _kept.Add((lineNumber, problem));
        }
    }

    public void WriteTo(TextWriter writer, string prefix)
    {
        foreach (var (line, text) in _kept)
        {
            writer.WriteLine($"{prefix}: line {line}: {text}");
        }

        if (Count > DetailLimit)
        {
            writer.WriteLine($"{prefix}: {Count - DetailLimit} more lines not understood, not shown");
        }
    }

    /// <summary>Printable ASCII only, so junk bytes cannot drive the terminal.</summary>
    private static string Excerpt(ReadOnlySpan<byte> line)
    {
        const int Max = 120;
        var chars = new char[Math.Min(line.Length, Max)];
        for (int i = 0; i < chars.Length; i++)
        {
            byte b = line[i];
            chars[i] = b is >= 0x20 and < 0x7f ? (char)b : '?';
        }

        return line.Length > Max ? new string(chars) + "..." : new string(chars);
    }
}
