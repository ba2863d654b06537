namespace PageExt.Analysis.Dump;

/// <summary>
/// Collects the diagnostics of one input in line order. Every diagnostic is counted; the first
/// <see cref="DetailLimitPerKind"/> of each kind are kept verbatim so that a binary or hostile input
/// cannot turn stderr into a second copy of itself (the count still reaches the summary).
/// </summary>
internal sealed class DiagnosticLog
{
    private readonly List<DumpDiagnostic> _kept = [];
    private readonly long[] _counts = new long[Enum.GetValues<DiagnosticKind>().Length];

    public DiagnosticLog(int detailLimitPerKind = 50)
    {
        DetailLimitPerKind = detailLimitPerKind;
    }

    public int DetailLimitPerKind { get; }

    public IReadOnlyList<DumpDiagnostic> Kept => _kept;

    public long Count(DiagnosticKind kind) => _counts[(int)kind];

    public long Total => _counts.Sum();

    public long SkippedRecords => Count(DiagnosticKind.NotARecord) + Count(DiagnosticKind.BinaryData)
        + Count(DiagnosticKind.RecordTooLong) + Count(DiagnosticKind.TruncatedInput);

    public long Notes => Count(DiagnosticKind.UnterminatedLastRecord);

    public long KeptAsRead => Count(DiagnosticKind.UnrecognisedLine);

    public long RepairedRecords => Total - SkippedRecords - Notes - KeptAsRead;

    /// <summary>Skipped, repaired or kept with unrecognised lines: what a clean dump has none of.</summary>
    public long Warnings => SkippedRecords + RepairedRecords + KeptAsRead;

    public void Add(DumpDiagnostic diagnostic)
    {
        if (++_counts[(int)diagnostic.Kind] <= DetailLimitPerKind)
        {
            _kept.Add(diagnostic);
        }
    }

    /// <summary>Writes the kept diagnostics, one a line, then a one-line summary per kind.</summary>
    public void WriteTo(TextWriter writer, string prefix)
    {
        foreach (var diagnostic in _kept)
        {
            writer.WriteLine($"{prefix}: {diagnostic}");
        }

        foreach (var kind in Enum.GetValues<DiagnosticKind>())
        {
            long count = Count(kind);
            if (count > DetailLimitPerKind)
            {
                writer.WriteLine($"{prefix}: {count - DetailLimitPerKind} more '{Describe(kind)}' diagnostics not shown");
            }
        }

        if (Warnings > 0)
        {
            writer.WriteLine($"{prefix}: summary: {SkippedRecords} skipped, {RepairedRecords} repaired, {KeptAsRead} kept with unrecognised lines ("
                + string.Join(", ", Enum.GetValues<DiagnosticKind>().Where(k => Count(k) > 0 && k != DiagnosticKind.UnterminatedLastRecord).Select(k => $"{Describe(k)}: {Count(k)}"))
                + ")");
        }
    }

    public static string Describe(DiagnosticKind kind) => kind switch
    {
        DiagnosticKind.CrlfLineEndings => "CRLF line endings",
        DiagnosticKind.MissingBlankLine => "missing blank line",
        DiagnosticKind.UnterminatedLastRecord => "unterminated last record",
        DiagnosticKind.NumberOutOfRange => "number out of range",
        DiagnosticKind.UnusableOrder => "unusable order",
        DiagnosticKind.UnrecognisedLine => "unrecognised lines",
        DiagnosticKind.NotARecord => "not a record",
        DiagnosticKind.BinaryData => "binary data",
        DiagnosticKind.RecordTooLong => "record too long",
        DiagnosticKind.TruncatedInput => "truncated input",
        _ => kind.ToString(),
    };
}
