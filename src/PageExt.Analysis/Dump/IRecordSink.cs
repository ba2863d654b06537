namespace PageExt.Analysis.Dump;

/// <summary>
/// Receives the records of one chunk, on the parser thread that owns the chunk. Implementations
/// aggregate into chunk-local state that the pipeline later merges, in input order, on one thread.
/// </summary>
internal interface IRecordSink
{
    /// <param name="diagnostics">Where to report a record the sink repairs (line numbers chunk-relative).</param>
    void Accept(in RawRecord record, List<DumpDiagnostic> diagnostics);

    /// <summary>Empties the sink after its chunk was merged, so the pipeline can reuse it (and its
    /// buffers) for a later chunk instead of allocating new ones.</summary>
    void Reset();
}
