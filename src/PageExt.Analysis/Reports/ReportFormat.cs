namespace PageExt.Analysis.Reports;

/// <summary>The output formats of `top` and `diff` (`--format`).</summary>
internal enum ReportFormat
{
    /// <summary>The tables a person reads.</summary>
    Text,

    /// <summary>One JSON document, every entry (not only the --limit shown in text).</summary>
    Json,

    /// <summary>RFC 4180 CSV with a header row, every entry, stacks' frames joined by ';'.</summary>
    Csv,

    /// <summary>diff only: difffolded.pl's "stack old new" lines for flamegraph.pl.</summary>
    Folded,
}
