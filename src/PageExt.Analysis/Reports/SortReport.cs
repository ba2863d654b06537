using PageExt.Analysis.Dump;
using PageExt.Analysis.Sort;

namespace PageExt.Analysis.Reports;

/// <summary>
/// page_owner_sort end to end: <see cref="PageOwnerSorter"/> orders the groups, and this prints
/// them in the format the options ask for (the C tool's text, or CSV, JSON or folded stacks).
/// </summary>
internal static class SortReport
{
    public static SortResult Run(SortOptions options, Stream input, Stream output, DiagnosticLog log,
        Action<long>? progress = null, Action<string>? stage = null, int chunkBytes = DumpChunkReader.DefaultChunkBytes) =>
        PageOwnerSorter.Run(options, input, groups => Write(output, groups, options), log, progress, stage, chunkBytes);

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
