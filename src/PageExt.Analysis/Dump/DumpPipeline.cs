namespace PageExt.Analysis.Dump;

/// <summary>
/// Runs the reader, parallel chunk parsers and an in-order merge. The calling thread reads chunks and
/// merges finished ones; parsing runs on the thread pool with at most a few chunks in flight, so
/// memory stays bounded and the output does not depend on thread timing.
/// </summary>
/// <remarks>
/// Concurrency model: each chunk has its own sink instance, touched only by the task parsing it
/// until the task completes; <c>merge</c> then runs on the calling thread, in chunk order.
/// </remarks>
internal static class DumpPipeline
{
    public static DumpReadSummary Run<TSink>(
        Stream input,
        bool keepPfnLines,
        Func<TSink> createSink,
        Action<TSink, long> merge,
        DiagnosticLog log,
        Action<long>? progress = null,
        int chunkBytes = DumpChunkReader.DefaultChunkBytes)
        where TSink : IRecordSink
    {
        var reader = new DumpChunkReader(input, chunkBytes);
        var inFlight = new Queue<Task<(TSink Sink, ChunkOutcome Outcome)>>();
        var spare = new System.Collections.Concurrent.ConcurrentBag<TSink>();
        int maxInFlight = Math.Max(2, Environment.ProcessorCount + 1);
        long lineBase = 0;
        long records = 0;
        long crlfLines = 0;
        long firstCrlfLine = 0;

        void Drain()
        {
            var (sink, outcome) = inFlight.Dequeue().GetAwaiter().GetResult();
            foreach (var diagnostic in outcome.Diagnostics)
            {
                log.Add(diagnostic.WithLineOffset(lineBase));
            }

            if (outcome.CrlfLines > 0 && crlfLines == 0)
            {
                firstCrlfLine = outcome.FirstCrlfLine + lineBase;
            }

            crlfLines += outcome.CrlfLines;
            merge(sink, lineBase);
            sink.Reset();
            spare.Add(sink);
            lineBase += outcome.Newlines;
            records += outcome.Records;
            progress?.Invoke(reader.BytesRead);
        }

        while (reader.Next() is { } chunk)
        {
            inFlight.Enqueue(Task.Run(() =>
            {
                var sink = spare.TryTake(out var reused) ? reused : createSink();
                var outcome = ChunkParser.Parse(chunk, sink, keepPfnLines);
                reader.Return(chunk);
                return (sink, outcome);
            }));
            while (inFlight.Count >= maxInFlight)
            {
                Drain();
            }
        }

        while (inFlight.Count > 0)
        {
            Drain();
        }

        if (crlfLines > 0)
        {
            log.Add(new DumpDiagnostic(firstCrlfLine, DiagnosticKind.CrlfLineEndings,
                $"{crlfLines} lines end with CR LF; the CR is dropped so records and blank lines are recognised"));
        }

        return new DumpReadSummary(reader.BytesRead, lineBase, records);
    }
}
