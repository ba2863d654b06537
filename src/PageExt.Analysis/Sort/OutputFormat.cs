namespace PageExt.Analysis.Sort;

internal enum OutputFormat
{
    /// <summary>Byte-compatible with page_owner_sort.</summary>
    Text,
    Json,
    Csv,

    /// <summary>"frame;frame;frame pages" lines for flamegraph.pl and speedscope.</summary>
    Folded,
}
