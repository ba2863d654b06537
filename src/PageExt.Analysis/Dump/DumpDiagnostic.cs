namespace PageExt.Analysis.Dump;

/// <summary>One repaired or skipped piece of input, located by its 1-based line number.</summary>
internal readonly record struct DumpDiagnostic(long Line, DiagnosticKind Kind, string Detail)
{
    /// <summary>True when the record was dropped; false when it was kept after a repair.</summary>
    public bool IsSkip => Kind is DiagnosticKind.NotARecord or DiagnosticKind.BinaryData
        or DiagnosticKind.RecordTooLong or DiagnosticKind.TruncatedInput;

    /// <summary>True for a note about well-formed input that page_owner_sort would mishandle (nothing was repaired).</summary>
    public bool IsNote => Kind is DiagnosticKind.UnterminatedLastRecord;

    /// <summary>True when the record was kept exactly as read, but holds something no kernel prints.</summary>
    public bool IsKeptAsRead => Kind is DiagnosticKind.UnrecognisedLine;

    public DumpDiagnostic WithLineOffset(long lineBase) => this with { Line = Line + lineBase };

    public override string ToString() => $"line {Line}: {(IsSkip ? "skipped" : IsNote ? "note" : IsKeptAsRead ? "kept" : "repaired")}: {Detail}";
}
