using Parquet.Schema;

namespace PageExt.Fleet.Export;

/// <summary>
/// The tables `pageext export` writes, version 1 (docs/formats/parquet.md is the contract). Columns
/// are only ever added at the end, never renamed or retyped; a reader checks the "pageext.schema"
/// key of the file metadata.
/// </summary>
internal static class ParquetSchemaV1
{
    public const string Version = "1";
    public const string TableKey = "pageext.table";
    public const string SchemaKey = "pageext.schema";
    public const string RecordsTable = "records";
    public const string StacksTable = "stacks";
    public const string RecordsFile = "records.parquet";
    public const string StacksFile = "stacks.parquet";

    /// <summary>Rows per row group: a few hundred thousand rows (tens of MiB before compression) is
    /// what DuckDB and Spark scan in parallel efficiently, and bounds the writer's buffers.</summary>
    public const int RowGroupRows = 1 << 17;

    public static readonly DataField<string> Source = new("source", nullable: false);
    public static readonly DataField<long> RecordIndex = new("record_index");
    public static readonly DataField<long> Line = new("line");
    public static readonly DataField<long?> Pfn = new("pfn");
    public static readonly DataField<int?> Order = new("order");
    public static readonly DataField<long> Pages = new("pages");
    public static readonly DataField<long?> GfpMask = new("gfp_mask");
    public static readonly DataField<string> GfpFlags = new("gfp_flags", nullable: true);
    public static readonly DataField<string> Migratetype = new("migratetype", nullable: true);
    public static readonly DataField<string> BlockType = new("block_type", nullable: true);
    public static readonly DataField<int?> Pid = new("pid");
    public static readonly DataField<int?> Tgid = new("tgid");
    public static readonly DataField<string> Comm = new("comm", nullable: true);
    public static readonly DataField<long?> TimestampNs = new("ts_ns");
    public static readonly DataField<long?> FreeTimestampNs = new("free_ts_ns");
    public static readonly DataField<string> Allocator = new("allocator", nullable: false);
    public static readonly DataField<long> StackId = new("stack_id");

    public static readonly DataField<long> StackStackId = new("stack_id");
    public static readonly DataField<int> FrameIndex = new("frame_index");
    public static readonly DataField<string> Frame = new("frame", nullable: false);

    /// <summary>Strings with a small vocabulary: stored once per row group, rows hold small indexes.</summary>
    public static IReadOnlyList<DataField> DictionaryColumns { get; } = [Source, GfpFlags, Migratetype, BlockType, Comm, Allocator, Frame];

    /// <summary>Counters that grow row by row: deltas pack into a few bits each.</summary>
    public static IReadOnlyList<DataField> DeltaColumns { get; } = [RecordIndex, Line, Pfn, StackStackId, FrameIndex];

    public static ParquetSchema Records { get; } = new(
        Source, RecordIndex, Line, Pfn, Order, Pages, GfpMask, GfpFlags, Migratetype, BlockType,
        Pid, Tgid, Comm, TimestampNs, FreeTimestampNs, Allocator, StackId);

    public static ParquetSchema Stacks { get; } = new(StackStackId, FrameIndex, Frame);
}
