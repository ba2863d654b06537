using System.Data.Common;
using System.Runtime.InteropServices;
using PageExt.Analysis.Dump;
using PageExt.Fleet.Export;
using PageExt.Fleet.Query;

namespace PageExt.Cli.Commands;

/// <summary>
/// `pageext query [--format table|csv|json] "SQL" &lt;input&gt;...`: SQL over the records and stacks
/// tables of exported folders, Parquet files, or dumps (exported to a temporary folder first).
/// Exit codes: 0 done, 1 usage or an input that cannot be read, 2 an input is neither a dump with
/// records nor a pageext export, 3 the SQL failed.
/// </summary>
internal sealed class QueryCommand : ICliCommand
{
    private const string Usage = "Usage: pageext query [--format table|csv|json] [--memory-limit SIZE] \"SQL\" <input>...\n"
        + "Runs SQL (DuckDB's dialect) over the views `records` and `stacks` (docs/formats/parquet.md).\n"
        + "An input is a folder written by `pageext export` (searched for .parquet files; key=value folder\n"
        + "names become columns), a .parquet file it wrote, or a page_owner dump (any generation, gzip, '-').\n"
        + "--format FMT         table (default), csv or json\n"
        + "--memory-limit SIZE  DuckDB's memory limit, e.g. 512MB (beyond it DuckDB spills to disk)\n";

    public string Name => "query";

    public string Summary => "SQL over exported Parquet files or dumps, with the embedded DuckDB";

    public int Run(IReadOnlyList<string> args, CliContext context)
    {
        var format = QueryFormat.Table;
        string? memoryLimit = null;
        var positional = new List<string>();
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            if (arg is "-h" or "--help")
            {
                context.Stdout.Write(Usage);
                return 0;
            }

            if (arg is "--format" or "--memory-limit")
            {
                if (i + 1 >= args.Count)
                {
                    return UsageError(context, $"{arg} needs a value");
                }

                string value = args[++i];
                if (arg == "--memory-limit")
                {
                    memoryLimit = value;
                    continue;
                }

                switch (value)
                {
                    case "table":
                        format = QueryFormat.Table;
                        break;
                    case "csv":
                        format = QueryFormat.Csv;
                        break;
                    case "json":
                        format = QueryFormat.Json;
                        break;
                    default:
                        return UsageError(context, $"unknown --format '{value}' (expected table, csv or json)");
                }

                continue;
            }

            if (arg.Length > 1 && arg[0] == '-' && positional.Count > 0)
            {
                return UsageError(context, $"unknown option '{arg}'");
            }

            positional.Add(arg);
        }

        if (positional.Count < 2)
        {
            return UsageError(context, positional.Count == 0 ? "missing the SQL and the inputs" : "missing the inputs");
        }

        string sql = positional[0];
        var records = new List<string>();
        var stacks = new List<string>();
        var dumps = new List<string>();
        foreach (var input in positional.Skip(1))
        {
            int code = Classify(input, records, stacks, dumps, context);
            if (code != 0)
            {
                return code;
            }
        }

        DirectoryInfo? scratch = null;
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, _ => Delete(scratch));
        try
        {
            if (dumps.Count > 0)
            {
                scratch = Directory.CreateTempSubdirectory("pageext-query-");
                int code = ExportDumps(dumps, scratch.FullName, context);
                if (code != 0)
                {
                    return code;
                }

                records.Add(Path.Combine(scratch.FullName, ParquetSchemaV1.RecordsFile));
                stacks.Add(Path.Combine(scratch.FullName, ParquetSchemaV1.StacksFile));
            }

            FleetQuery.Run(sql, records, stacks, context.Stdout, format, memoryLimit);
            context.Stdout.Flush();
            return 0;
        }
        catch (DbException e)
        {
            context.Stderr.WriteLine($"pageext query: {FirstLine(e.Message)}");
            return 3;
        }
        catch (IOException e)
        {
            context.Stderr.WriteLine($"pageext query: {e.Message}");
            return 1;
        }
        finally
        {
            Delete(scratch);
        }
    }

    private static int Classify(string input, List<string> records, List<string> stacks, List<string> dumps, CliContext context)
    {
        try
        {
            if (input != "-" && Directory.Exists(input))
            {
                var files = Directory.EnumerateFiles(input, "*.parquet", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
                if (files.Count == 0)
                {
                    context.Stderr.WriteLine($"pageext query: folder '{input}' holds no .parquet file");
                    return 2;
                }

                foreach (var file in files)
                {
                    int code = AddParquet(file, records, stacks, context);
                    if (code != 0)
                    {
                        return code;
                    }
                }

                return 0;
            }

            if (input != "-" && ParquetTables.IsParquet(input))
            {
                return AddParquet(input, records, stacks, context);
            }

            dumps.Add(input);
            return 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            context.Stderr.WriteLine($"pageext query: cannot open input '{input}': {e.Message}");
            return 1;
        }
    }

    private static int AddParquet(string file, List<string> records, List<string> stacks, CliContext context)
    {
        string? table;
        try
        {
            table = ParquetTables.TableOf(file);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            context.Stderr.WriteLine($"pageext query: '{file}' is not a readable Parquet file: {FirstLine(e.Message)}");
            return 2;
        }

        switch (table)
        {
            case ParquetSchemaV1.RecordsTable:
                records.Add(file);
                return 0;
            case ParquetSchemaV1.StacksTable:
                stacks.Add(file);
                return 0;
            default:
                context.Stderr.WriteLine($"pageext query: '{file}' was not written by `pageext export` (no \"{ParquetSchemaV1.TableKey}\" metadata)");
                return 2;
        }
    }

    private static int ExportDumps(List<string> dumps, string directory, CliContext context)
    {
        using var records = new FileStream(Path.Combine(directory, ParquetSchemaV1.RecordsFile), FileMode.CreateNew);
        using var stacks = new FileStream(Path.Combine(directory, ParquetSchemaV1.StacksFile), FileMode.CreateNew);
        using var target = new ParquetTarget(records, stacks);
        var exporter = new DumpExporter(target);
        foreach (var dump in dumps)
        {
            if (!CommandIo.TryOpenInput(dump, context, "query", out var stream, out _))
            {
                return 1;
            }

            using (stream)
            {
                string where = dump == "-" ? "<stdin>" : dump;
                var log = new DiagnosticLog();
                var read = exporter.Add(stream, dump == "-" ? "stdin" : dump, log);
                log.WriteTo(context.Stderr, $"pageext query: {where}");
                if (read.Records == 0)
                {
                    context.Stderr.WriteLine($"pageext query: {where}: not a page_owner dump or a pageext export: none of its {read.Lines} lines starts a record");
                    return 2;
                }
            }
        }

        target.Complete();
        return 0;
    }

    private static void Delete(DirectoryInfo? directory)
    {
        try
        {
            directory?.Delete(recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static string FirstLine(string message)
    {
        int newline = message.IndexOf('\n', StringComparison.Ordinal);
        return newline < 0 ? message : message[..newline];
    }

    private static int UsageError(CliContext context, string message)
    {
        context.Stderr.WriteLine($"pageext query: {message}");
        context.Stderr.Write(Usage);
        return 1;
    }
}
