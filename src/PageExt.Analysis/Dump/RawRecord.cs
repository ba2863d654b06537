namespace PageExt.Analysis.Dump;

/// <summary>
/// One record as page_owner_sort sees it: the paragraph's lines, each ending in '\n', with the "PFN"
/// lines taken out (unless the 2014 mode keeps them) and CR LF repaired to LF.
/// </summary>
internal readonly ref struct RawRecord
{
    public RawRecord(ReadOnlySpan<byte> text, ReadOnlySpan<byte> ownPfnLine, int pfnAllocator, long line)
    {
        Text = text;
        OwnPfnLine = ownPfnLine;
        PfnAllocator = pfnAllocator;
        Line = line;
    }

    public ReadOnlySpan<byte> Text { get; }

    /// <summary>This record's last "PFN" line without its newline; empty when the record has none.</summary>
    public ReadOnlySpan<byte> OwnPfnLine { get; }

    /// <summary>CMA/SLAB bits of the last "PFN" line read so far, this record's or an earlier one's.</summary>
    public int PfnAllocator { get; }

    /// <summary>Line number of the record's first line, relative to its chunk until merged.</summary>
    public long Line { get; }
}
