namespace PageExt.Analysis.Dump;

/// <summary>
/// Receives the records of one chunk, on the parser thread that owns the chunk. Implementations
/// aggregate into chunk-local state that the pipeline later merges, in input order, on one thread.
/// </summary>
internal interface IRecordSink
{
    /// <param name="diagnostics">Where to report a record the sink repairs (line numbers chunk-relative).</param>
    void Accept(in RawRecord record, List<DumpDiagnostic> diagnostics);
}
