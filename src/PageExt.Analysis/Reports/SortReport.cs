using PageExt.Analysis.Dump;
using PageExt.Analysis.Sort;

namespace PageExt.Analysis.Reports;

/// <summary>
/// page_owner_sort end to end: <see cref="PageOwnerSorter"/> orders the groups, and this prints
/// them in the format the options ask for (the C tool's text, or CSV, JSON or folded stacks).
/// </summary>
internal static class SortReport
{
    /// <summary>Large writes for the largest reports (-a prints the whole dump again).</summary>
    private const int TimestampWriteBytes = 1 << 20;

    public static SortResult Run(SortOptions options, Stream input, Stream output, DiagnosticLog log,
        Action<long>? progress = null, Action<string>? stage = null, int chunkBytes = DumpChunkReader.DefaultChunkBytes)
    {
        if (TimestampSort.Supports(options))
        {
            return TimestampSort.Run(options, input, sorted => Write(output, sorted), groups => Write(output, groups, options), log, progress, stage, chunkBytes);
        }

        return PageOwnerSorter.Run(options, input, groups => Write(output, groups, options), log, progress, stage, chunkBytes);
    }

    private static int Write(Stream output, SortedTimestamps sorted)
    {
        using var writer = new ByteWriter(output, TimestampWriteBytes, overlapWrites: true);
        return SortTextWriter.Write(writer, sorted);
    }

    public static void Write(Stream output, IEnumerable<SortedGroup> groups, SortOptions options)
    {
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
    }
}
