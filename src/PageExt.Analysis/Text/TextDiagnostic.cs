namespace PageExt.Analysis.Text;

/// <summary>How a line of a kernel text was handled, worst last.</summary>
internal enum TextSeverity
{
    /// <summary>Well-formed input worth knowing about (a line from another CPU inside a report); not a warning.</summary>
    Note,

    /// <summary>Malformed input that was mended (a wrapped line joined, a cut gfp list closed).</summary>
    Repaired,

    /// <summary>Malformed input that was left out.</summary>
    Skipped,
}

/// <summary>One line of a dmesg, page_owner_stacks or /proc text that was not simply read, with its 1-based line number.</summary>
internal readonly record struct TextDiagnostic(long Line, TextSeverity Severity, string Detail)
{
    public bool IsWarning => Severity != TextSeverity.Note;

    public override string ToString() => $"line {Line}: {Severity.ToString().ToLowerInvariant()}: {Detail}";
}

/// <summary>The diagnostics of one input, in line order; the first <see cref="DetailLimit"/> kept verbatim, the rest counted.</summary>
internal sealed class TextDiagnostics
{
    public const int DetailLimit = 50;

    private readonly List<TextDiagnostic> _kept = [];

    public IReadOnlyList<TextDiagnostic> Kept => _kept;

    public long Warnings { get; private set; }

    public long Notes { get; private set; }

    public void Add(long line, TextSeverity severity, string detail)
    {
        long count = severity == TextSeverity.Note ? ++Notes : ++Warnings;
        if (count <= DetailLimit)
        {
            _kept.Add(new TextDiagnostic(line, severity, detail));
        }
    }

    public void WriteTo(TextWriter writer, string prefix)
    {
        foreach (var diagnostic in _kept.OrderBy(d => d.Line))
        {
            writer.WriteLine($"{prefix}: {diagnostic}");
        }

        if (Warnings > DetailLimit)
        {
            writer.WriteLine($"{prefix}: {Warnings - DetailLimit} more warnings not shown");
        }

        if (Notes > DetailLimit)
        {
            writer.WriteLine($"{prefix}: {Notes - DetailLimit} more notes not shown");
        }
    }
}
