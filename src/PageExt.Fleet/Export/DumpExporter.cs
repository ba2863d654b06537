using System.Runtime.InteropServices;
using PageExt.Analysis.Dump;

namespace PageExt.Fleet.Export;

/// <summary>
/// Streams dumps into an <see cref="IRowTarget"/> through the parallel dump pipeline: chunks are
/// parsed on the thread pool and their rows handed over in input order, so memory holds a few
/// chunks and the target's row group, whatever the size of the input.
/// </summary>
/// <remarks>Concurrency model: one exporter per target, used from one thread.</remarks>
internal sealed class DumpExporter
{
    private readonly IRowTarget _target;
    private readonly HashSet<long> _stacksWritten = [];

    public DumpExporter(IRowTarget target)
    {
        _target = target;
    }

    /// <summary>Exports one dump (any generation; the caller unwraps gzip with <see cref="DumpSource"/>).</summary>
    public DumpReadSummary Add(Stream input, string source, DiagnosticLog log, Action<long>? progress = null,
        int chunkBytes = DumpChunkReader.DefaultChunkBytes)
    {
        long recordBase = 0;
        return DumpPipeline.Run(
            input,
            keepPfnLines: false,
            () => new ExportChunkSink(),
            (sink, lineBase) =>
            {
                foreach (var (id, frames) in sink.NewStacks)
                {
                    if (_stacksWritten.Add(id))
                    {
                        _target.AddStack(id, frames);
                    }
                }

                foreach (ref var row in CollectionsMarshal.AsSpan(sink.Rows))
                {
                    row.RecordIndex += recordBase;
                    row.Line += lineBase;
                    _target.AddRecord(source, row);
                }

                recordBase += sink.Rows.Count;
            },
            log,
            progress,
            chunkBytes);
    }
}
