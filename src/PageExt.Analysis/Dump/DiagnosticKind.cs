namespace PageExt.Analysis.Dump;

/// <summary>Why the reader repaired or skipped part of a dump.</summary>
internal enum DiagnosticKind
{
    /// <summary>Lines end with CR LF; the CR is dropped (reported once per input).</summary>
    CrlfLineEndings,

    /// <summary>A record header follows the previous record without a blank line; the two are split.</summary>
    MissingBlankLine,

    /// <summary>The last record has no blank line after it: complete, so kept (page_owner_sort drops
    /// it). A note, not a warning: copies of dumps often lose the final blank line.</summary>
    UnterminatedLastRecord,

    /// <summary>A numeric field does not fit page_owner_sort's C type; its value follows the C tool.</summary>
    NumberOutOfRange,

    /// <summary>An order no kernel records (see <see cref="RecordOrder"/>), or none; the record counts 0 pages.</summary>
    UnusableOrder,

    /// <summary>Lines inside a record that are neither stack frames nor lines page_owner prints; kept
    /// in the record's text as page_owner_sort keeps them. One diagnostic per record, at the first.</summary>
    UnrecognisedLine,

    /// <summary>A paragraph that does not start with "Page allocated via"; skipped.</summary>
    NotARecord,

    /// <summary>A record or paragraph holding NUL bytes; skipped.</summary>
    BinaryData,

    /// <summary>A record longer than the limit (a real record is a few KiB); skipped.</summary>
    RecordTooLong,

    /// <summary>The input ends in the middle of a record (truncated gzip data); the partial record is skipped.</summary>
    TruncatedInput,
}
