using PageExt.Analysis.Dump;

namespace PageExt.Analysis.Sort;

/// <summary>What one sort run did.</summary>
/// <param name="LoadedRecords">page_owner_sort's "loaded N": records that passed the filters, less those its generation merged into an identical previous one (<see cref="AdjacentMerge"/>).</param>
/// <param name="UnusableReason">Set when the input holds no page_owner record at all.</param>
/// <param name="SpilledRuns">Sorted runs written to temporary files (0 when the groups fit in memory).</param>
internal sealed record SortResult(DumpReadSummary Read, long LoadedRecords, int Groups, string? UnusableReason, int SpilledRuns);

/// <summary>
/// page_owner_sort without its whole-input buffer: stream the dump through the parallel pipeline,
/// aggregate per cull key on the fly (memory grows with the number of groups, not records), then
/// order the groups the way the C tool's two glibc qsorts order them. Groups beyond the memory
/// budget go to sorted temporary runs (<see cref="ExternalGroupSort"/>), with the same order.
/// Printing is the caller's: <paramref name="write"/> gets the ordered groups once, while spilled
/// runs are still open (Reports/SortReport picks the format).
/// </summary>
internal static class PageOwnerSorter
{
    public static SortResult Run(SortOptions options, Stream input, Action<IEnumerable<SortedGroup>> write, DiagnosticLog log,
        Action<long>? progress = null, Action<string>? stage = null, int chunkBytes = DumpChunkReader.DefaultChunkBytes)
    {
        var aggregation = new SortAggregation(options);
        using var external = new ExternalGroupSort(options);
        var read = DumpPipeline.Run(
            input,
            keepPfnLines: options.Compat == CompatMode.Y2014,
            () => new SortChunkSink(options),
            (sink, lineBase) =>
            {
                aggregation.Merge(sink, lineBase);
                if (aggregation.EstimatedBytes > options.MemoryBudgetBytes)
                {
                    external.Spill(aggregation.ToSpilledGroups());
                    aggregation.Reset();
                }
            },
            log,
            progress,
            chunkBytes);

        IEnumerable<SortedGroup> ordered;
        long loaded;
        if (external.HasSpilled)
        {
            var rest = aggregation.ToSpilledGroups();
            if (rest.Length > 0)
            {
                external.Spill(rest);
            }

            loaded = aggregation.Blocks.Stored;
            stage?.Invoke($"loaded {loaded}");
            stage?.Invoke("sorting ....");
            stage?.Invoke("culling");
            ordered = external.Finish();
        }
        else
        {
            var groups = aggregation.ToGroups();
            loaded = aggregation.Blocks.Stored;
            stage?.Invoke($"loaded {loaded}");
            if (read.Records == 0 && log.SkippedRecords > 0)
            {
                string unusable = $"not a page_owner dump: none of its {read.Lines} lines starts a record (\"Page allocated via order ...\")";
                return new SortResult(read, 0, 0, unusable, 0);
            }

            stage?.Invoke("sorting ....");
            GlibcMergeSort.Sort(groups, SortComparers.Cull(options));
            stage?.Invoke("culling");
            GlibcMergeSort.Sort(groups, SortComparers.Sort(options.Sort));
            ordered = groups;
        }

        write(ordered);

        int count = ordered is SortedGroup[] array ? array.Length : external.Groups;
        return new SortResult(read, loaded, count, null, external.RunCount);
    }
}
