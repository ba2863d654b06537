namespace PageExt.Fleet.Export;

/// <summary>
/// Where exported rows go, in input order, on one thread: Parquet files, or DuckDB tables when a
/// query reads dumps directly.
/// </summary>
internal interface IRowTarget
{
    void AddRecord(string source, in RecordRow row);

    /// <summary>Called once per distinct stack, before or after the records that use it.</summary>
    /// <param name="frames">The frame lines, innermost first, without their leading space.</param>
    void AddStack(long stackId, IReadOnlyList<string> frames);
}
