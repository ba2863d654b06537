using Parquet;
using Parquet.Schema;

namespace PageExt.Fleet.Export;

/// <summary>
/// Writes rows to records.parquet and stacks.parquet, one row group at a time: memory holds at most
/// one row group of each table, whatever the input size. Strings repeat (comm, flags, types), so
/// their columns come out dictionary-encoded.
/// </summary>
/// <remarks>Concurrency model: single-threaded (the pipeline's merge thread). Dispose is idempotent.</remarks>
internal sealed class ParquetTarget : IRowTarget, IDisposable
{
    private readonly ParquetWriter _records;
    private readonly ParquetWriter _stacks;
    private readonly int _rowGroupRows;
    private readonly RecordColumns _recordColumns;
    private readonly List<long> _stackIds = [];
    private readonly List<int> _frameIndexes = [];
    private readonly List<string> _frames = [];
    private int _disposed;

    public ParquetTarget(Stream records, Stream stacks, int rowGroupRows = ParquetSchemaV1.RowGroupRows)
    {
        _rowGroupRows = rowGroupRows;
        _recordColumns = new RecordColumns(rowGroupRows);
        var options = new ParquetOptions
        {
            CompressionMethod = CompressionMethod.Snappy,

            // Parquet.Net pools its page buffers without limit unless told; one row group's worth is enough.
            MaximumSmallPoolFreeBytes = 16 << 20,
            MaximumLargePoolFreeBytes = 32 << 20,
        };
        foreach (var field in ParquetSchemaV1.DictionaryColumns)
        {
            options.ColumnEncodingHints[field.Path.ToString()] = EncodingHint.Dictionary;
        }

        foreach (var field in ParquetSchemaV1.DeltaColumns)
        {
            options.ColumnEncodingHints[field.Path.ToString()] = EncodingHint.DeltaBinaryPacked;
        }

        _records = ParquetWriter.CreateAsync(ParquetSchemaV1.Records, records, options).GetAwaiter().GetResult();
        _stacks = ParquetWriter.CreateAsync(ParquetSchemaV1.Stacks, stacks, options).GetAwaiter().GetResult();
        _records.CustomMetadata = Metadata(ParquetSchemaV1.RecordsTable);
        _stacks.CustomMetadata = Metadata(ParquetSchemaV1.StacksTable);
    }

    public long Records { get; private set; }

    public long Stacks { get; private set; }

    public void AddRecord(string source, in RecordRow row)
    {
        _recordColumns.Add(source, row);
        Records++;
        if (_recordColumns.Count == _rowGroupRows)
        {
            FlushRecords();
        }
    }

    public void AddStack(long stackId, IReadOnlyList<string> frames)
    {
        Stacks++;
        for (int i = 0; i < frames.Count; i++)
        {
            _stackIds.Add(stackId);
            _frameIndexes.Add(i);
            _frames.Add(frames[i]);
        }

        if (_stackIds.Count >= _rowGroupRows)
        {
            FlushStacks();
        }
    }

    /// <summary>Writes the last row groups and the footers; Dispose alone leaves the last rows out.</summary>
    public void Complete()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        FlushRecords();
        FlushStacks();
        Dispose();
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _records.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _stacks.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    private static Dictionary<string, string> Metadata(string table) => new()
    {
        [ParquetSchemaV1.TableKey] = table,
        [ParquetSchemaV1.SchemaKey] = ParquetSchemaV1.Version,
    };

    private void FlushRecords()
    {
        if (_recordColumns.Count == 0)
        {
            return;
        }

        using (var group = _records.CreateRowGroup())
        {
            _recordColumns.WriteTo(group);
        }

        _recordColumns.Clear();
    }

    private void FlushStacks()
    {
        if (_stackIds.Count == 0)
        {
            return;
        }

        using (var group = _stacks.CreateRowGroup())
        {
            Write(group, ParquetSchemaV1.StackStackId, _stackIds.ToArray());
            Write(group, ParquetSchemaV1.FrameIndex, _frameIndexes.ToArray());
            group.WriteAsync(ParquetSchemaV1.Frame, _frames).GetAwaiter().GetResult();
        }

        _stackIds.Clear();
        _frameIndexes.Clear();
        _frames.Clear();
    }

    private static void Write<T>(ParquetRowGroupWriter group, DataField field, T[] values)
        where T : struct =>
        group.WriteAsync<T>(field, values.AsMemory()).GetAwaiter().GetResult();

    private static void WriteNullable<T>(ParquetRowGroupWriter group, DataField field, T?[] values, int count)
        where T : struct =>
        group.WriteAsync<T>(field, values.AsMemory(0, count)).GetAwaiter().GetResult();

    /// <summary>One row group of the records table, column by column.</summary>
    private sealed class RecordColumns
    {
        private readonly string[] _source;
        private readonly long[] _recordIndex;
        private readonly long[] _line;
        private readonly long?[] _pfn;
        private readonly int?[] _order;
        private readonly long[] _pages;
        private readonly long?[] _gfpMask;
        private readonly string?[] _gfpFlags;
        private readonly string?[] _migratetype;
        private readonly string?[] _blockType;
        private readonly int?[] _pid;
        private readonly int?[] _tgid;
        private readonly string?[] _comm;
        private readonly long?[] _ts;
        private readonly long?[] _freeTs;
        private readonly string[] _allocator;
        private readonly long[] _stackId;

        public RecordColumns(int rows)
        {
            _source = new string[rows];
            _recordIndex = new long[rows];
            _line = new long[rows];
            _pfn = new long?[rows];
            _order = new int?[rows];
            _pages = new long[rows];
            _gfpMask = new long?[rows];
            _gfpFlags = new string?[rows];
            _migratetype = new string?[rows];
            _blockType = new string?[rows];
            _pid = new int?[rows];
            _tgid = new int?[rows];
            _comm = new string?[rows];
            _ts = new long?[rows];
            _freeTs = new long?[rows];
            _allocator = new string[rows];
            _stackId = new long[rows];
        }

        public int Count { get; private set; }

        public void Add(string source, in RecordRow row)
        {
            int i = Count++;
            _source[i] = source;
            _recordIndex[i] = row.RecordIndex;
            _line[i] = row.Line;
            _pfn[i] = row.Pfn;
            _order[i] = row.Order;
            _pages[i] = row.Pages;
            _gfpMask[i] = row.GfpMask;
            _gfpFlags[i] = row.GfpFlags;
            _migratetype[i] = row.Migratetype;
            _blockType[i] = row.BlockType;
            _pid[i] = row.Pid;
            _tgid[i] = row.Tgid;
            _comm[i] = row.Comm;
            _ts[i] = row.TimestampNs;
            _freeTs[i] = row.FreeTimestampNs;
            _allocator[i] = row.Allocator;
            _stackId[i] = row.StackId;
        }

        public void Clear()
        {
            Array.Clear(_source, 0, Count);
            Array.Clear(_gfpFlags, 0, Count);
            Array.Clear(_migratetype, 0, Count);
            Array.Clear(_blockType, 0, Count);
            Array.Clear(_comm, 0, Count);
            Array.Clear(_allocator, 0, Count);
            Count = 0;
        }

        public void WriteTo(ParquetRowGroupWriter group)
        {
            int n = Count;
            Strings(group, ParquetSchemaV1.Source, _source!, n);
            group.WriteAsync<long>(ParquetSchemaV1.RecordIndex, _recordIndex.AsMemory(0, n)).GetAwaiter().GetResult();
            group.WriteAsync<long>(ParquetSchemaV1.Line, _line.AsMemory(0, n)).GetAwaiter().GetResult();
            WriteNullable(group, ParquetSchemaV1.Pfn, _pfn, n);
            WriteNullable(group, ParquetSchemaV1.Order, _order, n);
            group.WriteAsync<long>(ParquetSchemaV1.Pages, _pages.AsMemory(0, n)).GetAwaiter().GetResult();
            WriteNullable(group, ParquetSchemaV1.GfpMask, _gfpMask, n);
            Strings(group, ParquetSchemaV1.GfpFlags, _gfpFlags, n);
            Strings(group, ParquetSchemaV1.Migratetype, _migratetype, n);
            Strings(group, ParquetSchemaV1.BlockType, _blockType, n);
            WriteNullable(group, ParquetSchemaV1.Pid, _pid, n);
            WriteNullable(group, ParquetSchemaV1.Tgid, _tgid, n);
            Strings(group, ParquetSchemaV1.Comm, _comm, n);
            WriteNullable(group, ParquetSchemaV1.TimestampNs, _ts, n);
            WriteNullable(group, ParquetSchemaV1.FreeTimestampNs, _freeTs, n);
            Strings(group, ParquetSchemaV1.Allocator, _allocator!, n);
            group.WriteAsync<long>(ParquetSchemaV1.StackId, _stackId.AsMemory(0, n)).GetAwaiter().GetResult();
        }

        private static void Strings(ParquetRowGroupWriter group, DataField field, string?[] values, int count) =>
            group.WriteAsync(field, new ArraySegment<string>(values!, 0, count)).GetAwaiter().GetResult();
    }
}
