using System.CommandLine;
using PageExt.Analysis.Dump;
using PageExt.Cli.Files;
using PageExt.Fleet.Export;

namespace PageExt.Cli.Commands;

/// <summary>
/// `pageext export -o DIR [--source LABEL] &lt;dump|-&gt;...`: page_owner dumps to DIR/records.parquet
/// and DIR/stacks.parquet (docs/formats/parquet.md). Exit codes: 0 done, 1 usage or a file that
/// cannot be opened or created, 2 an input holds no page_owner record (then nothing is written).
/// </summary>
internal sealed class ExportCommand : ICliCommand
{
    public Command Create(CliContext context)
    {
        var dumps = new Argument<string[]>("dump")
        {
            HelpName = "dump",
            Description = "page_owner dumps of any generation (`-`: stdin; gzip is read as is)",
            Arity = ArgumentArity.OneOrMore,
        };
        var output = new Option<string>("--output", "-o")
        {
            HelpName = "DIR",
            Description = "Output folder (created if missing); records.parquet and stacks.parquet appear in it only when complete",
            Required = true,
        };
        var source = new Option<string>("--source")
        {
            HelpName = "LABEL",
            Description = "The records' source column [default: each input's path as given, `stdin` for `-`]",
        };
        var command = new Command("export", "page_owner dumps to Parquet (records and stacks tables) for `pageext query`, DuckDB, Spark or Trino")
        {
            dumps, output, source,
        };
        command.Validators.Add(result =>
        {
            if ((result.GetValue(dumps) ?? []).Count(d => d == "-") > 1)
            {
                result.AddError("only one dump can come from standard input");
            }
        });
        command.SetAction(parsed => Run(parsed.GetValue(dumps)!, parsed.GetValue(output)!, parsed.GetValue(source), context));
        return command.WithExamples(
            ("pageext export -o fleet/date=2026-11-27/device=a42 --source a42 a42.txt.gz", "one device's dump, in a folder layout whose key=value names `query` turns into columns"),
            ("adb shell cat /sys/kernel/debug/page_owner | pageext export -o now -", "straight from a device"));
    }

    private static int Run(string[] inputs, string directory, string? label, CliContext context)
    {
        // Every input and the outputs are checked before any work.
        foreach (var input in inputs)
        {
            InputFile.Check("input", input);
        }

        using var folder = OutputFolder.Open("--output", directory, [ParquetSchemaV1.RecordsFile, ParquetSchemaV1.StacksFile], inputs, context);
        var records = folder.Files[0];
        var stacks = folder.Files[1];
        long recordCount;
        long stackCount;
        using (var target = new ParquetTarget(records.Stream, stacks.Stream))
        {
            var exporter = new DumpExporter(target);
            foreach (var input in inputs)
            {
                ExportOne(exporter, input, label, directory, context);
            }

            target.Complete();
            recordCount = target.Records;
            stackCount = target.Stacks;
        }

        folder.Commit();
        context.Stderr.WriteLine($"pageext export: {recordCount} records, {stackCount} stacks to {records.Path} and {stacks.Path}");
        return ExitCodes.Success;
    }

    /// <exception cref="CliException">The input cannot be opened (exit 1) or holds no record (exit 2).</exception>
    private static void ExportOne(DumpExporter exporter, string input, string? label, string directory, CliContext context)
    {
        using var stream = CommandIo.OpenInput(input, context, out long length, "export");
        string where = input == "-" ? "<stdin>" : input;
        var log = new DiagnosticLog();
        var progress = context.StderrIsTerminal ? new ProgressBar(context.Stderr, length) : null;
        DumpReadSummary read;
        try
        {
            read = exporter.Add(stream, label ?? (input == "-" ? "stdin" : input), log, progress is null ? null : progress.Report);
        }
        finally
        {
            progress?.Clear();
        }

        log.WriteTo(context.Stderr, $"pageext export: {where}");
        if (read.Records == 0)
        {
            // All or nothing: a fleet job must not mistake a partial export for a complete one.
            throw new CliException(
                $"{where}: not a page_owner dump: none of its {read.Lines} lines starts a record (\"Page allocated via order ...\"); nothing written to '{directory}'",
                ExitCodes.BadInput);
        }
    }
}
