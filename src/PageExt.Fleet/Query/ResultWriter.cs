using System.Data.Common;
using System.Globalization;
using System.Text.Json;

namespace PageExt.Fleet.Query;

/// <summary>Prints a query result as a table, CSV or JSON; numbers culture-invariant, NULL as empty (CSV), "NULL" (table) or null (JSON).</summary>
internal static class ResultWriter
{
    /// <summary>A table is aligned, so it is held in memory; this many rows at most, then a note.</summary>
    public const int MaxTableRows = 10_000;

    public static long Write(DbDataReader reader, TextWriter output, QueryFormat format) => format switch
    {
        QueryFormat.Csv => WriteCsv(reader, output),
        QueryFormat.Json => WriteJson(reader, output),
        _ => WriteTable(reader, output),
    };

    private static long WriteTable(DbDataReader reader, TextWriter output)
    {
        var rows = new List<string[]>();
        var header = Enumerable.Range(0, reader.FieldCount).Select(reader.GetName).ToArray();
        var numeric = Enumerable.Range(0, reader.FieldCount).Select(i => IsNumeric(reader.GetFieldType(i))).ToArray();
        long total = 0;
        while (reader.Read())
        {
            if (++total <= MaxTableRows)
            {
                rows.Add(Enumerable.Range(0, reader.FieldCount).Select(i => reader.IsDBNull(i) ? "NULL" : Text(reader.GetValue(i))).ToArray());
            }
        }

        var widths = header.Select((h, i) => Math.Max(h.Length, rows.Count == 0 ? 0 : rows.Max(r => r[i].Length))).ToArray();
        output.WriteLine(Line(header, widths, numeric));
        output.WriteLine(string.Join("  ", widths.Select(w => new string('-', w))));
        foreach (var row in rows)
        {
            output.WriteLine(Line(row, widths, numeric));
        }

        output.WriteLine(total == 1 ? "(1 row)" : $"({total} rows{(total > MaxTableRows ? $", first {MaxTableRows} shown; use --format csv or json for all" : string.Empty)})");
        return total;
    }

    private static string Line(string[] cells, int[] widths, bool[] numeric) =>
        string.Join("  ", cells.Select((c, i) => numeric[i] ? c.PadLeft(widths[i]) : c.PadRight(widths[i]))).TrimEnd();

    private static long WriteCsv(DbDataReader reader, TextWriter output)
    {
        output.Write(string.Join(',', Enumerable.Range(0, reader.FieldCount).Select(i => Quote(reader.GetName(i)))));
        output.Write('\n');
        long total = 0;
        while (reader.Read())
        {
            total++;
            for (int i = 0; i < reader.FieldCount; i++)
            {
                if (i > 0)
                {
                    output.Write(',');
                }

                if (!reader.IsDBNull(i))
                {
                    output.Write(Quote(Text(reader.GetValue(i))));
                }
            }

            output.Write('\n');
        }

        return total;
    }

    private static long WriteJson(DbDataReader reader, TextWriter output)
    {
        using var buffer = new MemoryStream();
        long total = 0;
        var names = Enumerable.Range(0, reader.FieldCount).Select(reader.GetName).ToArray();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartArray();
            while (reader.Read())
            {
                total++;
                json.WriteStartObject();
                for (int i = 0; i < names.Length; i++)
                {
                    json.WritePropertyName(names[i]);
                    WriteJsonValue(json, reader.IsDBNull(i) ? null : reader.GetValue(i));
                }

                json.WriteEndObject();
                if (buffer.Length > 1 << 16)
                {
                    json.Flush();
                    output.Write(System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
                    buffer.SetLength(0);
                }
            }

            json.WriteEndArray();
        }

        output.Write(System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
        output.Write('\n');
        return total;
    }

    private static void WriteJsonValue(Utf8JsonWriter json, object? value)
    {
        switch (value)
        {
            case null:
                json.WriteNullValue();
                break;
            case bool b:
                json.WriteBooleanValue(b);
                break;
            case sbyte or byte or short or ushort or int or uint or long:
                json.WriteNumberValue(Convert.ToInt64(value, CultureInfo.InvariantCulture));
                break;
            case ulong u:
                json.WriteNumberValue(u);
                break;
            case float or double:
                json.WriteNumberValue(Convert.ToDouble(value, CultureInfo.InvariantCulture));
                break;
            case decimal d:
                json.WriteNumberValue(d);
                break;
            case System.Numerics.BigInteger big:
                json.WriteRawValue(big.ToString(CultureInfo.InvariantCulture));
                break;
            default:
                json.WriteStringValue(Text(value));
                break;
        }
    }

    private static string Text(object value) => value switch
    {
        DateTime time => time.ToString(time.TimeOfDay == TimeSpan.Zero ? "yyyy-MM-dd" : "yyyy-MM-dd HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture),
        DateOnly date => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        TimeOnly clock => clock.ToString("HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        System.Collections.IEnumerable list and not string => "[" + string.Join(", ", list.Cast<object?>().Select(v => v is null ? "NULL" : Text(v))) + "]",
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty,
    };

    private static bool IsNumeric(Type type) => Type.GetTypeCode(type) is >= TypeCode.SByte and <= TypeCode.Decimal
        || type == typeof(System.Numerics.BigInteger);

    private static string Quote(string field) =>
        field.AsSpan().IndexOfAny(",\"\n\r") < 0 ? field : "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
