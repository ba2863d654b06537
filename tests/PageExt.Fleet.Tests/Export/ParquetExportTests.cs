using System.Text;
using Parquet;
using Parquet.Schema;
using PageExt.Analysis.Dump;
using PageExt.Fleet.Export;

namespace PageExt.Fleet.Tests.Export;

/// <summary>What `pageext export` writes reads back, through an independent Parquet reader, as the schema and values promised in docs/formats/parquet.md.</summary>
public sealed class ParquetExportTests
{
    [Fact]
    public void Records_table_reads_back_with_the_documented_schema_and_the_dump_values()
    {
        using var directory = new FleetTestData.TempDirectory();
        var dump = File.ReadAllBytes(FleetTestData.Input("modern-s11.txt"));
        var (records, _, log) = FleetTestData.Export(directory.Path, (dump, "device-a"));
        Assert.Equal(192, records);
        Assert.Equal(0, log.Warnings);

        var table = ReadTable(Path.Combine(directory.Path, ParquetSchemaV1.RecordsFile));
        Assert.Equal("records", table.Metadata[ParquetSchemaV1.TableKey]);
        Assert.Equal("1", table.Metadata[ParquetSchemaV1.SchemaKey]);
        Assert.Equal(
            ["source", "record_index", "line", "pfn", "order", "pages", "gfp_mask", "gfp_flags", "migratetype", "block_type",
             "pid", "tgid", "comm", "ts_ns", "free_ts_ns", "allocator", "stack_id"],
            table.Fields.Select(f => f.Name));
        Assert.Equal(
            [typeof(string), typeof(long), typeof(long), typeof(long), typeof(int), typeof(long), typeof(long), typeof(string), typeof(string), typeof(string),
             typeof(int), typeof(int), typeof(string), typeof(long), typeof(long), typeof(string), typeof(long)],
            table.Fields.Select(LogicalType));
        Assert.Equal(
            [false, false, false, true, true, false, true, true, true, true, true, true, true, true, true, false, false],
            table.Fields.Select(f => f.IsNullable));
        Assert.True(table.RowGroups > 1, "100-row groups: 192 records need two");

        // "Page allocated via order 0, mask 0x152cca(GFP_HIGHUSER_MOVABLE|...), pid 686, tgid 670 (containerd), ts 211211684746426 ns"
        // "PFN 0x100 type Movable Block 0 type Movable Flags ..."
        Assert.Equal("device-a", table.Columns["source"][0]);
        Assert.Equal(0L, table.Columns["record_index"][0]);
        Assert.Equal(1L, table.Columns["line"][0]);
        Assert.Equal(0x100L, table.Columns["pfn"][0]);
        Assert.Equal(0, table.Columns["order"][0]);
        Assert.Equal(1L, table.Columns["pages"][0]);
        Assert.Equal(0x152ccaL, table.Columns["gfp_mask"][0]);
        Assert.Equal("GFP_HIGHUSER_MOVABLE|__GFP_NOWARN|__GFP_NORETRY|__GFP_COMP", table.Columns["gfp_flags"][0]);
        Assert.Equal("Movable", table.Columns["migratetype"][0]);
        Assert.Equal("Movable", table.Columns["block_type"][0]);
        Assert.Equal(686, table.Columns["pid"][0]);
        Assert.Equal(670, table.Columns["tgid"][0]);
        Assert.Equal("containerd", table.Columns["comm"][0]);
        Assert.Equal(211211684746426L, table.Columns["ts_ns"][0]);
        Assert.Null(table.Columns["free_ts_ns"][0]);
        Assert.Equal("OTHERS", table.Columns["allocator"][0]);
        Assert.Equal(Enumerable.Range(0, 192).Select(i => (object?)(long)i), table.Columns["record_index"]);
    }

    [Fact]
    public void Stacks_table_holds_each_stack_once_with_its_frames_in_order()
    {
        using var directory = new FleetTestData.TempDirectory();
        var dump = File.ReadAllBytes(FleetTestData.Input("modern-s11.txt"));
        var (_, stackCount, _) = FleetTestData.Export(directory.Path, (dump, "a"), (dump, "b"));
        var records = ReadTable(Path.Combine(directory.Path, ParquetSchemaV1.RecordsFile));
        var stacks = ReadTable(Path.Combine(directory.Path, ParquetSchemaV1.StacksFile));
        Assert.Equal("stacks", stacks.Metadata[ParquetSchemaV1.TableKey]);
        Assert.Equal(["stack_id", "frame_index", "frame"], stacks.Fields.Select(f => f.Name));

        var frames = new Dictionary<long, List<(int Index, string Frame)>>();
        for (int i = 0; i < stacks.Columns["stack_id"].Count; i++)
        {
            long id = (long)stacks.Columns["stack_id"][i]!;
            frames.TryAdd(id, []);
            frames[id].Add(((int)stacks.Columns["frame_index"][i]!, (string)stacks.Columns["frame"][i]!));
        }

        Assert.Equal(32, stackCount);
        Assert.Equal(32, frames.Count);
        Assert.All(frames.Values, f => Assert.Equal(Enumerable.Range(0, f.Count), f.Select(x => x.Index)));
        Assert.Equal(
            ["post_alloc_hook+0x159/0x10c0", "get_page_from_freelist+0x54/0x760", "__alloc_pages_noprof+0x168/0x190"],
            frames[(long)records.Columns["stack_id"][0]!].Take(3).Select(f => f.Frame));
        Assert.All(records.Columns["stack_id"], id => Assert.True(frames.ContainsKey((long)id!)));
    }

    [Theory]
    [InlineData("v6.6-s13.txt")]
    [InlineData("2014-s14.txt")]
    [InlineData("edge.txt")]
    public void Every_generation_exports_every_record(string name)
    {
        using var directory = new FleetTestData.TempDirectory();
        var dump = File.ReadAllBytes(FleetTestData.Input(name));
        var (records, _, log) = FleetTestData.Export(directory.Path, (dump, name));
        long expected = CountRecordHeaders(dump) - log.SkippedRecords;
        Assert.Equal(expected, records);
        Assert.Equal(records, ReadTable(Path.Combine(directory.Path, ParquetSchemaV1.RecordsFile)).Columns["line"].Count);
    }

    [Fact]
    public void Free_timestamps_of_the_v6_6_format_are_exported()
    {
        using var directory = new FleetTestData.TempDirectory();
        FleetTestData.Export(directory.Path, (File.ReadAllBytes(FleetTestData.Input("v6.6-s13.txt")), "x"));
        var table = ReadTable(Path.Combine(directory.Path, ParquetSchemaV1.RecordsFile));
        Assert.Contains(table.Columns["free_ts_ns"], v => v is long ns && ns > 0);
    }

    [Fact]
    public void Malformed_records_are_reported_with_their_lines_and_the_rest_exported()
    {
        const string good = "Page allocated via order 1, mask 0xcc0(GFP_KERNEL), pid 5, tgid 5 (a), ts 10 ns\n f+0x1/0x2\n\n";
        string dump = good
            + "this paragraph is not a record\n\n"
            + "Page allocated via order 0, mask 0xcc0(GFP_KERNEL), pid 99999999999, tgid 5 (a), ts 11 ns\n f+0x1/0x2\n\n"
            + good;
        using var directory = new FleetTestData.TempDirectory();
        var (records, _, log) = FleetTestData.Export(directory.Path, (Encoding.ASCII.GetBytes(dump), "x"));
        Assert.Equal(3, records);
        Assert.Contains(log.Kept, d => d.Kind == DiagnosticKind.NotARecord && d.Line == 4);
        Assert.Contains(log.Kept, d => d.Kind == DiagnosticKind.NumberOutOfRange && d.Line == 6 && d.Detail.Contains("pid", StringComparison.Ordinal));
        var table = ReadTable(Path.Combine(directory.Path, ParquetSchemaV1.RecordsFile));
        Assert.Equal([1L, 6L, 9L], table.Columns["line"].Cast<long>());
        Assert.Equal([5, null, 5], table.Columns["pid"]);
    }

    private static long CountRecordHeaders(byte[] dump) =>
        Encoding.UTF8.GetString(dump).Split('\n').Count(l => l.StartsWith("Page allocated via", StringComparison.Ordinal));

    private sealed record Table(IReadOnlyList<DataField> Fields, IReadOnlyDictionary<string, string> Metadata, int RowGroups, Dictionary<string, List<object?>> Columns);

    private static Table ReadTable(string path)
    {
        var reader = ParquetReader.CreateAsync(path).GetAwaiter().GetResult();
        try
        {
            var fields = reader.Schema.DataFields;
            var columns = fields.ToDictionary(f => f.Name, _ => new List<object?>());
            for (int g = 0; g < reader.RowGroupCount; g++)
            {
                var group = reader.OpenRowGroupReader(g);
                int rows = (int)group.RowCount;
                foreach (var field in fields)
                {
                    columns[field.Name].AddRange(ReadColumn(group, field, rows));
                }
            }

            return new Table(fields, reader.CustomMetadata, reader.RowGroupCount, columns);
        }
        finally
        {
            reader.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    /// <summary>The reader hands strings back as ReadOnlyMemory&lt;char&gt;; the column is a UTF-8 string either way.</summary>
    private static Type LogicalType(DataField field) => field.ClrType == typeof(ReadOnlyMemory<char>) ? typeof(string) : field.ClrType;

    private static IEnumerable<object?> ReadColumn(ParquetRowGroupReader group, DataField field, int rows)
    {
        if (LogicalType(field) == typeof(string))
        {
            var values = new string?[rows];
            group.ReadAsync(field, values.AsMemory()).AsTask().GetAwaiter().GetResult();
            return values;
        }

        if (field.ClrType == typeof(long))
        {
            return field.IsNullable ? Nullable<long>(group, field, rows) : Plain<long>(group, field, rows);
        }

        return field.IsNullable ? Nullable<int>(group, field, rows) : Plain<int>(group, field, rows);
    }

    private static IEnumerable<object?> Plain<T>(ParquetRowGroupReader group, DataField field, int rows)
        where T : struct
    {
        var values = new T[rows];
        group.ReadAsync<T>(field, values.AsMemory()).AsTask().GetAwaiter().GetResult();
        return values.Select(v => (object?)v);
    }

    private static IEnumerable<object?> Nullable<T>(ParquetRowGroupReader group, DataField field, int rows)
        where T : struct
    {
        var values = new T?[rows];
        group.ReadAsync<T>(field, values.AsMemory()).AsTask().GetAwaiter().GetResult();
        return values.Select(v => v.HasValue ? (object?)v.Value : null);
    }
}
