using PageExt.Analysis.Dump;
using PageExt.Analysis.Reports;

namespace PageExt.Analysis.Sort;

/// <summary>What one sort run did.</summary>
/// <param name="LoadedRecords">Records that passed the filters (page_owner_sort's "loaded N").</param>
/// <param name="UnusableReason">Set when the input holds no page_owner record at all.</param>
internal sealed record SortResult(DumpReadSummary Read, long LoadedRecords, int Groups, string? UnusableReason);

/// <summary>
/// page_owner_sort without its whole-input buffer: stream the dump through the parallel pipeline,
/// aggregate per cull key on the fly (memory grows with the number of groups, not records), then
/// order the groups the way the C tool's two glibc qsorts order them.
/// </summary>
internal static class PageOwnerSorter
{
    public static SortResult Run(SortOptions options, Stream input, Stream output, DiagnosticLog log,
        Action<long>? progress = null, Action<string>? stage = null, int chunkBytes = DumpChunkReader.DefaultChunkBytes)
    {
        var aggregation = new SortAggregation(options);
        var read = DumpPipeline.Run(
            input,
            keepPfnLines: options.Compat == CompatMode.Y2014,
            () => new SortChunkSink(options),
            aggregation.Merge,
            log,
            progress,
            chunkBytes);

        var groups = aggregation.ToGroups();
        long loaded = groups.Sum(g => g.Count);
        stage?.Invoke($"loaded {loaded}");
        string? unusable = null;
        if (read.Records == 0 && log.SkippedRecords > 0)
        {
            unusable = $"not a page_owner dump: none of its {read.Lines} lines starts a record (\"Page allocated via order ...\")";
            return new SortResult(read, 0, 0, unusable);
        }

        stage?.Invoke("sorting ....");
        GlibcMergeSort.Sort(groups, SortComparers.Cull(options));
        stage?.Invoke("culling");
        GlibcMergeSort.Sort(groups, SortComparers.Sort(options.Sort));

        using var writer = new ByteWriter(output);
        switch (options.Format)
        {
            case OutputFormat.Json:
                SortJsonWriter.Write(output, groups, options);
                break;
            case OutputFormat.Csv:
                SortCsvWriter.Write(writer, groups, options);
                break;
            case OutputFormat.Folded:
                FoldedStackWriter.Write(writer, groups);
                break;
            default:
                SortTextWriter.Write(writer, groups, options);
                break;
        }

        return new SortResult(read, loaded, groups.Length, unusable);
    }
}
