using System.CommandLine;
using System.Globalization;
using PageExt.Analysis.Crash;
using PageExt.Analysis.Dump;
using PageExt.Analysis.Inputs;
using PageExt.Analysis.Pictures;
using PageExt.Analysis.Proc;
using PageExt.Analysis.Reports;
using PageExt.Cli.Files;
using PageExt.Analysis.Text;

namespace PageExt.Cli.Commands;

/// <summary>
/// `pageext report [--diff OLD NEW | DUMP] [-o PATH] [--format html|svg]`: the self-contained HTML
/// report (flame graph, tables, memory map) or a standalone SVG flame graph of a page_owner dump.
/// `pageext flamegraph` is the same command with the SVG as its default.
/// </summary>
internal sealed class ReportCommand : ICliCommand
{
    private readonly bool _svgOnly;

    public ReportCommand(bool svgOnly = false)
    {
        _svgOnly = svgOnly;
    }

    private string Name => _svgOnly ? "flamegraph" : "report";

    public Command Create(CliContext context)
    {
        var dumps = new Argument<string[]>("dump")
        {
            HelpName = "dump",
            Description = "A page_owner dump of any generation (`-`: stdin; gzip is read as is); with --diff, the old dump then the new one",
            Arity = new ArgumentArity(1, 2),
        };
        var output = new Option<string>("--output", "-o")
        {
            HelpName = "PATH",
            Description = $"Output file, `-` for standard output [default: {(_svgOnly ? "flamegraph.svg" : "report.html")}]",
        };
        var diff = new Option<bool>("--diff") { Description = "Compare two dumps: colours show growth (red) and shrinkage (blue)" };
        var format = new Option<string>("--format")
        {
            HelpName = "html|svg",
            Description = $"The HTML report or the SVG flame graph alone [default: {(_svgOnly ? "svg" : "html")}]",
        };
        format.AcceptOnlyFromAmong("html", "svg");
        var title = new Option<string>("--title") { HelpName = "TEXT", Description = "The report's title [default: the dump's file name]" };
        var pageSize = new Option<int>("--page-size")
        {
            HelpName = "BYTES",
            Description = $"Page size of the dumped machine [default: {PageUnits.DefaultPageBytes}]",
            DefaultValueFactory = _ => PageUnits.DefaultPageBytes,
            CustomParser = OptionParsers.Int("--page-size", 1),
        };
        var command = new Command(Name, _svgOnly
            ? "An interactive SVG flame graph of a page_owner dump, in flamegraph.pl's manner (report --format svg)"
            : "A self-contained HTML report of a page_owner dump: flame graph, tables, memory map (--diff compares two)")
        {
            dumps, output, diff, format, title, pageSize,
        };
        command.Validators.Add(result =>
        {
            var files = result.GetValue(dumps) ?? [];
            bool isDiff = result.GetValue(diff);
            if (files.Length != (isDiff ? 2 : 1))
            {
                result.AddError(isDiff ? $"--diff needs two dumps, old and new, got {files.Length}" : $"expected one dump, got {files.Length} (use --diff to compare two)");
            }
            else if (files.Count(f => f == "-") > 1)
            {
                result.AddError("only one dump can come from standard input");
            }
        });
        command.SetAction(parsed =>
        {
            var files = parsed.GetValue(dumps)!;
            bool isDiff = parsed.GetValue(diff);
            bool svg = (parsed.GetValue(format) ?? (_svgOnly ? "svg" : "html")) == "svg";
            string path = parsed.GetValue(output) ?? (svg ? "flamegraph.svg" : "report.html");

            // The output is checked and opened before any input is read.
            using var target = OutputFile.OpenAll([("--output", path)], files, context)[0];
            var old = isDiff ? Load(files[0], context, allowProc: false).Totals : null;
            var (current, procZones, zoneInfo) = Load(files[^1], context, allowProc: !isDiff);
            string heading = parsed.GetValue(title) ?? (isDiff
                ? $"page_owner diff: {Describe(files[0])} to {Describe(files[1])}"
                : $"page_owner: {Describe(files[0])}");
            var data = new ReportData { Current = current, Old = old, ProcZones = procZones, ZoneInfo = zoneInfo, Title = heading, PageBytes = parsed.GetValue(pageSize) };
            long bytes = Write(target, data, svg);
            target.Commit();
            if (!target.IsStdout)
            {
                context.Stderr.WriteLine(string.Create(CultureInfo.InvariantCulture, $"pageext {Name}: wrote {target.Path} ({bytes / 1024.0:F0} KiB)"));
            }

            return ExitCodes.Success;
        });
        return command.WithExamples(
            _svgOnly
                ? [("pageext flamegraph dump.txt -o pages.svg", "one interactive SVG to paste into a bug report")]
                : [
                    ("pageext report dump.txt", "report.html: flame graph, top tables and the memory map"),
                    ("pageext report --diff before.txt after.txt -o growth.html", "what grew, in red"),
                    ("pageext report --format svg dump.txt.gz -o pages.svg", "the SVG flame graph alone"),
                ]);
    }

    /// <summary>Writes the report or SVG into an opened output, which the caller commits.</summary>
    /// <returns>The bytes written, where the output can tell.</returns>
    public static long Write(OutputFile target, ReportData data, bool svg)
    {
        var stream = target.Stream;
        long start = stream.CanSeek ? stream.Position : 0;
        if (svg)
        {
            using var writer = new StreamWriter(stream, new System.Text.UTF8Encoding(false), 1 << 16, leaveOpen: true) { NewLine = "\n" };
            FlameGraphSvg.Write(writer, data);
        }
        else
        {
            HtmlReport.Write(stream, data);
        }

        stream.Flush();
        return stream.CanSeek ? stream.Position - start : 0;
    }

    private static string Describe(string path) => path == "-" ? "stdin" : Path.GetFileName(path);

    /// <summary>Reads one input: a dump or a kernel log's records, a page_owner_stacks file's stacks, a /proc file's free blocks or zoneinfo's zones.</summary>
    /// <exception cref="CliException">The file cannot be opened (exit 1) or holds nothing the report draws (exit 2).</exception>
    private static (PictureTotals Totals, IReadOnlyList<LiveZone>? ProcZones, IReadOnlyList<ProcZoneInfo>? ZoneInfo) Load(string path, CliContext context, bool allowProc)
    {
        using var text = CommandIo.OpenText(path, context, out long length);
        string where = CommandIo.Where(path);
        var diagnostics = new TextDiagnostics();
        switch (text.Kind)
        {
            case InputKind.PageOwnerStacks or InputKind.SortOutput:
                var stacks = new PictureTotals(SummaryTotals.Load(text.Kind, text.Stream, diagnostics));
                diagnostics.WriteTo(context.Stderr, CommandIo.Prefix("report", path));
                return stacks.Stacks.Count + stacks.Allocators.Count > 0 ? (stacks, null, null)
                    : throw new CliException($"{where}: {KernelText.Describe(text.Kind)} with no complete entry", ExitCodes.BadInput);
            case InputKind.PageTypeInfo or InputKind.BuddyInfo or InputKind.ZoneInfo:
                if (!allowProc)
                {
                    throw new CliException($"{where}: {KernelText.Describe(text.Kind)} cannot be compared; --diff takes dumps, kernel logs or page_owner_stacks files", ExitCodes.BadInput);
                }

                if (text.Kind == InputKind.ZoneInfo)
                {
                    var zones = ZoneInfoReader.Read(text.Stream, diagnostics);
                    diagnostics.WriteTo(context.Stderr, CommandIo.Prefix("report", path));
                    return zones.Count > 0 ? (new PictureTotals(), null, zones)
                        : throw new CliException($"{where}: {KernelText.Describe(text.Kind)} with no zone (\"Node N, zone NAME\")", ExitCodes.BadInput);
                }

                var proc = ProcFileReader.Read(text.Stream, diagnostics);
                diagnostics.WriteTo(context.Stderr, CommandIo.Prefix("report", path));
                return proc.Zones.Count > 0 ? (new PictureTotals(), proc.Zones.Select(z => new LiveZone(z.Node, z.Name, z.FreeBlocksPerOrder)).ToArray(), null)
                    : throw new CliException($"{where}: {KernelText.Describe(text.Kind)} with no zone line (\"Node N, zone NAME ...\")", ExitCodes.BadInput);
        }

        Stream? crashRecords = null;
        if (text.Kind == InputKind.CrashPageOwner)
        {
            (var crash, crashRecords) = CommandIo.ReadCrash(text, path, context, "report");
            if (crashRecords is null)
            {
                return (new PictureTotals(CrashStackTotals.Load(crash)), null, null);
            }

            length = crashRecords.Length;
        }

        using var input = crashRecords ?? CommandIo.Records(text, path, context, "report", ref length);
        var log = new DiagnosticLog();
        var progress = context.StderrIsTerminal ? new ProgressBar(context.Stderr, length) : null;
        PictureTotals totals;
        try
        {
            totals = PictureTotals.Load(input, log, progress is null ? null : progress.Report);
        }
        finally
        {
            progress?.Clear();
        }

        log.WriteTo(context.Stderr, $"pageext report: {where}");
        if (totals.Records == 0)
        {
            throw new CliException($"{where}: not a page_owner dump: no line starts a record (\"Page allocated via order ...\")", ExitCodes.BadInput);
        }

        return (totals, null, null);
    }
}
