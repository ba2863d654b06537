using System.CommandLine;
using System.Data.Common;
using System.Runtime.InteropServices;
using PageExt.Analysis.Dump;
using PageExt.Cli.Files;
using PageExt.Fleet.Export;
using PageExt.Fleet.Query;

namespace PageExt.Cli.Commands;

/// <summary>
/// `pageext query [--format table|csv|json] "SQL" &lt;input&gt;...`: SQL over the records and stacks
/// tables of exported folders, Parquet files, or dumps (exported to a temporary folder first).
/// Exit codes: 0 done, 1 usage, an input that cannot be read, or SQL that DuckDB rejects or cannot
/// run (the SQL is part of the command line), 2 an input is neither a dump with records nor a
/// pageext export.
/// </summary>
internal sealed class QueryCommand : ICliCommand
{
    public Command Create(CliContext context)
    {
        var sql = new Argument<string>("sql")
        {
            HelpName = "SQL",
            Description = "A query in DuckDB's dialect over the views `records` and `stacks` (docs/formats/parquet.md)",
        };
        var inputs = new Argument<string[]>("input")
        {
            HelpName = "input",
            Description = "A folder written by `pageext export` (searched for .parquet files; key=value folder names become columns), "
                + "a .parquet file it wrote, or a page_owner dump (any generation, gzip, `-`: stdin)",
            Arity = ArgumentArity.OneOrMore,
        };
        var format = new Option<string>("--format")
        {
            HelpName = "table|csv|json",
            Description = "How the result is printed [default: table]",
        };
        format.AcceptOnlyFromAmong("table", "csv", "json");
        var memoryLimit = new Option<string>("--memory-limit")
        {
            HelpName = "SIZE",
            Description = "DuckDB's memory limit, e.g. 512MB (beyond it DuckDB spills to disk)",
        };
        var command = new Command("query", "SQL over exported Parquet files or dumps, with the embedded DuckDB")
        {
            sql, inputs, format, memoryLimit,
        };
        command.Validators.Add(result =>
        {
            if ((result.GetValue(inputs) ?? []).Count(i => i == "-") > 1)
            {
                result.AddError("only one input can come from standard input");
            }
        });
        command.SetAction(parsed => Run(
            parsed.GetValue(sql)!,
            parsed.GetValue(inputs)!,
            (parsed.GetValue(format) ?? "table") switch { "csv" => QueryFormat.Csv, "json" => QueryFormat.Json, _ => QueryFormat.Table },
            parsed.GetValue(memoryLimit),
            context));
        return command.WithExamples(
            ("pageext query \"SELECT device, sum(pages) AS pages FROM records GROUP BY ALL ORDER BY pages DESC\" fleet", "per-device totals over a folder of exports"),
            ("pageext query --format csv \"SELECT comm, sum(pages) FROM records GROUP BY 1 ORDER BY 2 DESC\" dump.txt", "straight over a dump"));
    }

    private static int Run(string sql, string[] inputs, QueryFormat format, string? memoryLimit, CliContext context)
    {
        var records = new List<string>();
        var stacks = new List<string>();
        var dumps = new List<string>();
        foreach (var input in inputs)
        {
            Classify(input, records, stacks, dumps);
        }

        DirectoryInfo? scratch = null;

        // The scratch export is not an output: it is deleted on every way out, Ctrl-C included.
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, _ => Delete(scratch));
        try
        {
            if (dumps.Count > 0)
            {
                scratch = Directory.CreateTempSubdirectory("pageext-query-");
                ExportDumps(dumps, scratch.FullName, context);
                records.Add(Path.Combine(scratch.FullName, ParquetSchemaV1.RecordsFile));
                stacks.Add(Path.Combine(scratch.FullName, ParquetSchemaV1.StacksFile));
            }

            try
            {
                FleetQuery.Run(sql, records, stacks, context.Stdout, format, memoryLimit);
            }
            catch (DbException e)
            {
                throw new CliException(FirstLine(e.Message));
            }

            context.Stdout.Flush();
            return ExitCodes.Success;
        }
        finally
        {
            Delete(scratch);
        }
    }

    /// <exception cref="CliException">The input cannot be read (exit 1) or is not a pageext export (exit 2).</exception>
    private static void Classify(string input, List<string> records, List<string> stacks, List<string> dumps)
    {
        try
        {
            if (input != "-" && Directory.Exists(input))
            {
                var files = Directory.EnumerateFiles(input, "*.parquet", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
                if (files.Count == 0)
                {
                    throw new CliException($"folder '{input}' holds no .parquet file", ExitCodes.BadInput);
                }

                foreach (var file in files)
                {
                    AddParquet(file, records, stacks);
                }

                return;
            }

            InputFile.Check("input", input);
            if (input != "-" && ParquetTables.IsParquet(input))
            {
                AddParquet(input, records, stacks);
                return;
            }

            dumps.Add(input);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw InputFile.CannotOpen("input", input, e);
        }
    }

    private static void AddParquet(string file, List<string> records, List<string> stacks)
    {
        string? table;
        try
        {
            table = ParquetTables.TableOf(file);
        }
        catch (Exception e) when (e is not (OutOfMemoryException or IOException or UnauthorizedAccessException))
        {
            throw new CliException($"'{file}' is not a readable Parquet file: {FirstLine(e.Message)}", ExitCodes.BadInput);
        }

        switch (table)
        {
            case ParquetSchemaV1.RecordsTable:
                records.Add(file);
                break;
            case ParquetSchemaV1.StacksTable:
                stacks.Add(file);
                break;
            default:
                throw new CliException($"'{file}' was not written by `pageext export` (no \"{ParquetSchemaV1.TableKey}\" metadata)", ExitCodes.BadInput);
        }
    }

    /// <exception cref="CliException">A dump cannot be opened (exit 1) or holds no record (exit 2).</exception>
    private static void ExportDumps(List<string> dumps, string directory, CliContext context)
    {
        using var records = new FileStream(Path.Combine(directory, ParquetSchemaV1.RecordsFile), FileMode.CreateNew);
        using var stacks = new FileStream(Path.Combine(directory, ParquetSchemaV1.StacksFile), FileMode.CreateNew);
        using var target = new ParquetTarget(records, stacks);
        var exporter = new DumpExporter(target);
        foreach (var dump in dumps)
        {
            using var stream = CommandIo.OpenInput(dump, context, out _, "query");
            string where = dump == "-" ? "<stdin>" : dump;
            var log = new DiagnosticLog();
            var read = exporter.Add(stream, dump == "-" ? "stdin" : dump, log);
            log.WriteTo(context.Stderr, $"pageext query: {where}");
            if (read.Records == 0)
            {
                throw new CliException($"{where}: not a page_owner dump or a pageext export: none of its {read.Lines} lines starts a record", ExitCodes.BadInput);
            }
        }

        target.Complete();
    }

    private static void Delete(DirectoryInfo? directory)
    {
        try
        {
            directory?.Delete(recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort: a signal handler must not throw, and the folder is under the system's temp.
        }
    }

    private static string FirstLine(string message)
    {
        int newline = message.IndexOf('\n', StringComparison.Ordinal);
        return newline < 0 ? message : message[..newline];
    }
}
