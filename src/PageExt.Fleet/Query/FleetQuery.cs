using System.Data.Common;
using System.Globalization;
using DuckDB.NET.Data;

namespace PageExt.Fleet.Query;

/// <summary>
/// SQL over exported page_owner tables with the embedded DuckDB. The files appear as two views,
/// <c>records</c> and <c>stacks</c> (docs/formats/parquet.md); directories named key=value on the
/// way to a file become columns too (Hive partitioning: date=2026-11-20/device=a42/records.parquet).
/// DuckDB streams the Parquet files itself, spilling to its temporary folder beyond its memory limit.
/// </summary>
internal static class FleetQuery
{
    /// <summary>Runs <paramref name="sql"/> and writes its result; DuckDB's errors come back as <see cref="DbException"/>.</summary>
    /// <returns>Rows written.</returns>
    public static long Run(string sql, IReadOnlyList<string> recordFiles, IReadOnlyList<string> stackFiles, TextWriter output, QueryFormat format,
        string? memoryLimit = null)
    {
        using var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        if (memoryLimit is not null)
        {
            Execute(connection, $"SET memory_limit = {Literal(memoryLimit)}");
        }

        Execute(connection, "CREATE VIEW records AS " + Scan(recordFiles, Export.ParquetSchemaV1.Records.DataFields.Select(f => f.Name)));

        // Exports share stacks (the id is a hash of the frames); partition columns would keep copies apart.
        var stackColumns = string.Join(", ", Export.ParquetSchemaV1.Stacks.DataFields.Select(f => $"\"{f.Name}\""));
        Execute(connection, $"CREATE VIEW stacks AS SELECT DISTINCT {stackColumns} FROM ("
            + Scan(stackFiles, Export.ParquetSchemaV1.Stacks.DataFields.Select(f => f.Name)) + ")");

        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        return ResultWriter.Write(reader, output, format);
    }

    /// <summary>A scan of the files, or an empty relation with the table's columns when there are none.</summary>
    private static string Scan(IReadOnlyList<string> files, IEnumerable<string> columns)
    {
        if (files.Count == 0)
        {
            return "SELECT " + string.Join(", ", columns.Select(c => $"NULL AS \"{c}\"")) + " WHERE false";
        }

        return $"SELECT * FROM read_parquet([{string.Join(", ", files.Select(Literal))}], union_by_name = true, hive_partitioning = true)";
    }

    private static void Execute(DbConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static string Literal(string text) => "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'";

    internal static string Invariant(object value) => Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty;
}
