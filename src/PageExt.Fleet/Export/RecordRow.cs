namespace PageExt.Fleet.Export;

/// <summary>
/// One page_owner record broken into the columns of the records table (docs/formats/parquet.md).
/// Null means the record does not carry the field (older generations) or carries it out of range
/// (reported as a diagnostic).
/// </summary>
internal struct RecordRow
{
    /// <summary>0-based position of the record in its source.</summary>
    public long RecordIndex;

    /// <summary>1-based line of the record's first line in its source.</summary>
    public long Line;

    public long? Pfn;
    public int? Order;

    /// <summary>2^order, or 0 when the order is missing or above 40 (as `pageext top` counts).</summary>
    public long Pages;

    public long? GfpMask;
    public string? GfpFlags;
    public string? Migratetype;
    public string? BlockType;
    public int? Pid;
    public int? Tgid;
    public string? Comm;
    public long? TimestampNs;
    public long? FreeTimestampNs;

    /// <summary>page_owner_sort's allocator classes, space-separated ("SLAB", "CMA SLAB", "OTHERS").</summary>
    public string Allocator;

    public long StackId;
}
