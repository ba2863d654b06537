namespace PageExt.Analysis.Trace;

/// <summary>How a trace is replayed.</summary>
internal sealed record TraceReplayOptions
{
    /// <summary>Apply only events at or before this time (the trace's clock, in ns); later ones are read and counted.</summary>
    public long AtNs { get; init; } = long.MaxValue;

    /// <summary>The trace came from a kernel before v4.4, whose migratetype numbers differ (see <see cref="TraceMigrateTypes"/>).</summary>
    public bool Before44 { get; init; }
}
