namespace PageExt.Analysis.Dump;

/// <summary>
/// A slice of the input handed to one parser thread. The reader cuts chunks just before a line that
/// starts a record ("Page allocated via"), so records never straddle two chunks except when a
/// paragraph runs longer than a whole chunk (garbage, or a record without blank lines), which the
/// flags below describe.
/// </summary>
internal sealed class DumpChunk
{
    public DumpChunk(byte[] buffer)
    {
        Buffer = buffer;
    }

    public byte[] Buffer { get; }

    /// <summary>Bytes of <see cref="Buffer"/> in use.</summary>
    public int Length { get; set; }

    /// <summary>0-based position of the chunk in the input; results are merged in this order.</summary>
    public int Index { get; set; }

    public bool IsFinal { get; set; }

    /// <summary>The first bytes continue a paragraph that an earlier chunk started (and reported).</summary>
    public bool StartsInsideParagraph { get; set; }

    /// <summary>The chunk was cut inside a paragraph because no record header was found to cut at.</summary>
    public bool EndsInsideParagraph { get; set; }

    /// <summary>Allocator bits (CMA/SLAB) of the last "PFN" line before this chunk: page_owner_sort
    /// reuses the previous record's PFN line when a record has none.</summary>
    public int InheritedPfnAllocator { get; set; }

    /// <summary>Why the input ended early (e.g. truncated gzip), for the final chunk only.</summary>
    public string? TruncationReason { get; set; }
}
