using System.CommandLine;
using System.Text;
using PageExt.Analysis.Crash;
using PageExt.Analysis.Dump;
using PageExt.Analysis.Inputs;
using PageExt.Analysis.Reports;
using PageExt.Analysis.Text;

namespace PageExt.Cli.Commands;

/// <summary>The options `top` and `diff` share, and loading a dump into totals.</summary>
internal sealed class ReportArguments
{
    private readonly Option<int> _limit = new("--limit")
    {
        HelpName = "N",
        Description = "Entries per table in text [default: 10]",
        DefaultValueFactory = _ => 10,
        CustomParser = OptionParsers.Int("--limit", 1),
    };

    private readonly Option<int> _pageSize = new("--page-size")
    {
        HelpName = "BYTES",
        Description = $"Page size of the dumped machine [default: {PageUnits.DefaultPageBytes}]",
        DefaultValueFactory = _ => PageUnits.DefaultPageBytes,
        CustomParser = OptionParsers.Int("--page-size", 1),
    };
    private readonly Option<ReportFormat> _format;

    public ReportArguments(params ReportFormat[] formats)
    {
        string names = string.Join('|', formats.Select(f => f.ToString().ToLowerInvariant()));
        _format = new Option<ReportFormat>("--format")
        {
            HelpName = names,
            Description = "text for people; json and csv list every entry for programs" + (formats.Contains(ReportFormat.Folded) ? "; folded is difffolded.pl's \"stack old new\" for flamegraph.pl" : "") + " [default: text]",
            DefaultValueFactory = _ => ReportFormat.Text,
            CustomParser = result =>
            {
                string text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
                foreach (var format in formats)
                {
                    if (string.Equals(format.ToString(), text, StringComparison.OrdinalIgnoreCase))
                    {
                        return format;
                    }
                }

                result.AddError($"--format is {names}, not '{text}'");
                return ReportFormat.Text;
            },
        };
        _format.CompletionSources.Add(formats.Select(f => f.ToString().ToLowerInvariant()).ToArray());
    }

    public void AddTo(Command command)
    {
        command.Options.Add(_limit);
        command.Options.Add(_pageSize);
        command.Options.Add(_format);
    }

    public int Limit(ParseResult parsed) => parsed.GetValue(_limit);

    public int PageBytes(ParseResult parsed) => parsed.GetValue(_pageSize);

    public ReportFormat Format(ParseResult parsed) => parsed.GetValue(_format);

    public static Argument<string> Dump(string name, string description) => new(name) { HelpName = name, Description = description };

    /// <summary>Writes a JSON document to the text output (standard output), as UTF-8 text.</summary>
    public static void WriteJson(TextWriter output, Action<Stream> write)
    {
        using var buffer = new MemoryStream();
        write(buffer);
        output.Write(Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
        output.Write('\n');
    }

    /// <exception cref="CliException">The file cannot be opened (exit 1) or is not a page_owner dump (exit 2).</exception>
    public static DumpTotals Load(string path, CliContext context, string command)
    {
        using var text = CommandIo.OpenText(path, context, out long length);
        string where = CommandIo.Where(path);
        if (SummaryTotals.IsSummary(text.Kind))
        {
            var diagnostics = new TextDiagnostics();
            var read = SummaryTotals.Load(text.Kind, text.Stream, diagnostics);
            diagnostics.WriteTo(context.Stderr, CommandIo.Prefix(command, path));
            return read.Stacks.Count + read.Allocators.Count > 0 ? read
                : throw new CliException($"{where}: {KernelText.Describe(text.Kind)} with no complete entry", ExitCodes.BadInput);
        }

        Stream? crashRecords = null;
        if (text.Kind == InputKind.CrashPageOwner)
        {
            (var crash, crashRecords) = CommandIo.ReadCrash(text, path, context, command);
            if (crashRecords is null)
            {
                return CrashStackTotals.Load(crash);
            }

            length = crashRecords.Length;
        }

        using var input = crashRecords ?? CommandIo.Records(text, path, context, command, ref length);
        var log = new DiagnosticLog();
        var progress = context.StderrIsTerminal ? new ProgressBar(context.Stderr, length) : null;
        var totals = DumpTotals.Load(input, log, progress is null ? null : progress.Report);
        progress?.Clear();
        log.WriteTo(context.Stderr, $"pageext {command}: {where}");
        if (totals.Records == 0 && log.SkippedRecords > 0)
        {
            throw new CliException($"{where}: not a page_owner dump: no line starts a record (\"Page allocated via order ...\")", ExitCodes.BadInput);
        }

        return totals;
    }
}
