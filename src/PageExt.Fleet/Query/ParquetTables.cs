using Parquet;
using PageExt.Fleet.Export;

namespace PageExt.Fleet.Query;

/// <summary>Which table a Parquet file holds, from the "pageext.table" key `pageext export` writes.</summary>
internal static class ParquetTables
{
    private static ReadOnlySpan<byte> Magic => "PAR1"u8;

    /// <summary>True when the file starts with Parquet's magic bytes (anything else is read as a dump).</summary>
    public static bool IsParquet(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 1);
        Span<byte> head = stackalloc byte[4];
        return file.ReadAtLeast(head, 4, throwOnEndOfStream: false) == 4 && head.SequenceEqual(Magic);
    }

    /// <returns>"records", "stacks", or null for a Parquet file `pageext export` did not write.</returns>
    public static string? TableOf(string path)
    {
        var reader = ParquetReader.CreateAsync(path).GetAwaiter().GetResult();
        try
        {
            return reader.CustomMetadata.TryGetValue(ParquetSchemaV1.TableKey, out var table) ? table : null;
        }
        finally
        {
            reader.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }
}
