namespace PageExt.Analysis.Dump;

/// <summary>What parsing one chunk produced besides the records: counts and chunk-relative diagnostics.</summary>
internal sealed record ChunkOutcome(long Newlines, long Records, long CrlfLines, long FirstCrlfLine, List<DumpDiagnostic> Diagnostics);
