namespace PageExt.Analysis.Dump;

/// <summary>Totals of one pass over a dump.</summary>
internal sealed record DumpReadSummary(long Bytes, long Lines, long Records);
