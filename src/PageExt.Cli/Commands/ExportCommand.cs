using System.Runtime.InteropServices;
using PageExt.Analysis.Dump;
using PageExt.Fleet.Export;

namespace PageExt.Cli.Commands;

/// <summary>
/// `pageext export -o DIR [--source LABEL] &lt;dump|-&gt;...`: page_owner dumps to DIR/records.parquet
/// and DIR/stacks.parquet (docs/formats/parquet.md). Exit codes: 0 done, 1 usage or a file that
/// cannot be opened or created, 2 an input holds no page_owner record (then nothing is written).
/// </summary>
internal sealed class ExportCommand : ICliCommand
{
    private const string Usage = "Usage: pageext export -o DIR [--source LABEL] <dump|->...\n"
        + "Writes the records of page_owner dumps (any generation, gzip or stdin) to DIR/records.parquet\n"
        + "and their stacks to DIR/stacks.parquet, for `pageext query`, DuckDB, Spark or Trino.\n"
        + "-o DIR          output folder (created if missing; the two files are replaced when complete)\n"
        + "--source LABEL  the records' source column (default: each input's path as given)\n";

    public string Name => "export";

    public string Summary => "page_owner dumps to Parquet (records and stacks tables)";

    public int Run(IReadOnlyList<string> args, CliContext context)
    {
        string? directory = null;
        string? label = null;
        var inputs = new List<string>();
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            switch (arg)
            {
                case "-h" or "--help":
                    context.Stdout.Write(Usage);
                    return 0;
                case "-o" or "--output" or "--source":
                    if (i + 1 >= args.Count)
                    {
                        return UsageError(context, $"{arg} needs a value");
                    }

                    if (arg == "--source")
                    {
                        label = args[++i];
                    }
                    else
                    {
                        directory = args[++i];
                    }

                    break;
                default:
                    if (arg.Length > 1 && arg[0] == '-')
                    {
                        return UsageError(context, $"unknown option '{arg}'");
                    }

                    inputs.Add(arg);
                    break;
            }
        }

        if (directory is null || inputs.Count == 0)
        {
            return UsageError(context, directory is null ? "missing -o DIR" : "missing the dumps to export");
        }

        string recordsPath = Path.Combine(directory, ParquetSchemaV1.RecordsFile);
        string stacksPath = Path.Combine(directory, ParquetSchemaV1.StacksFile);
        foreach (var output in new[] { recordsPath, stacksPath })
        {
            if (ReplacingOutput.IsOneOf(output, inputs))
            {
                context.Stderr.WriteLine($"pageext export: output '{output}' is also an input; choose another -o folder");
                return 1;
            }
        }

        ReplacingOutput records;
        ReplacingOutput stacks;
        try
        {
            Directory.CreateDirectory(directory);
            records = new ReplacingOutput(recordsPath);
            stacks = new ReplacingOutput(stacksPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            context.Stderr.WriteLine($"pageext export: cannot create output in '{directory}': {e.Message}");
            return 1;
        }

        using (records)
        using (stacks)
        using (PosixSignalRegistration.Create(PosixSignal.SIGINT, _ =>
        {
            records.Abandon();
            stacks.Abandon();
        }))
        {
            var target = new ParquetTarget(records.Stream, stacks.Stream);
            var exporter = new DumpExporter(target);
            int exitCode = 0;
            try
            {
                foreach (var input in inputs)
                {
                    exitCode = Math.Max(exitCode, ExportOne(exporter, input, label, context));
                    if (exitCode == 1)
                    {
                        return 1;
                    }
                }

                target.Complete();
            }
            catch (IOException e)
            {
                context.Stderr.WriteLine($"pageext export: cannot write to '{directory}': {e.Message}");
                return 1;
            }
            finally
            {
                target.Dispose();
            }

            if (exitCode != 0)
            {
                // All or nothing: a fleet job must not mistake a partial export for a complete one.
                context.Stderr.WriteLine($"pageext export: nothing written to '{directory}'");
                return exitCode;
            }

            records.Commit();
            stacks.Commit();
            context.Stderr.WriteLine($"pageext export: {target.Records} records, {target.Stacks} stacks to {records.FinalPath} and {stacks.FinalPath}");
            return exitCode;
        }
    }

    private static int ExportOne(DumpExporter exporter, string input, string? label, CliContext context)
    {
        if (!CommandIo.TryOpenInput(input, context, "export", out var stream, out _))
        {
            return 1;
        }

        using (stream)
        {
            string where = input == "-" ? "<stdin>" : input;
            var log = new DiagnosticLog();
            var read = exporter.Add(stream, label ?? (input == "-" ? "stdin" : input), log);
            log.WriteTo(context.Stderr, $"pageext export: {where}");
            if (read.Records == 0)
            {
                context.Stderr.WriteLine($"pageext export: {where}: not a page_owner dump: none of its {read.Lines} lines starts a record (\"Page allocated via order ...\")");
                return 2;
            }

            return 0;
        }
    }

    private static int UsageError(CliContext context, string message)
    {
        context.Stderr.WriteLine($"pageext export: {message}");
        context.Stderr.Write(Usage);
        return 1;
    }
}
