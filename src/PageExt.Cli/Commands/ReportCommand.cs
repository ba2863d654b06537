using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using PageExt.Analysis.Dump;
using PageExt.Analysis.Pictures;
using PageExt.Analysis.Reports;

namespace PageExt.Cli.Commands;

/// <summary>
/// `pageext report [--diff OLD NEW | DUMP] [-o PATH] [--format html|svg]`: the self-contained HTML
/// report (flame graph, tables, memory map) or a standalone SVG flame graph of a page_owner dump.
/// </summary>
internal sealed class ReportCommand : ICliCommand
{
    private const string Usage = "Usage: pageext report [-o PATH] [--format html|svg] [--title TEXT] [--page-size BYTES] <dump|->\n"
        + "       pageext report --diff [-o PATH] [--format html|svg] <old dump> <new dump>\n"
        + "A self-contained HTML report (flame graph, top tables, memory map) of a page_owner dump, or with\n"
        + "--format svg an interactive SVG flame graph. Any dump sort reads: every generation, gzip, '-' for stdin.\n"
        + "-o PATH            output file, '-' for standard output (default report.html, or flamegraph.svg)\n"
        + "--diff             compare two dumps: colours show growth (red) and shrinkage (blue)\n"
        + "--format html|svg  the HTML report (default) or the SVG flame graph alone\n"
        + "--title TEXT       the report's title (default: the dump's file name)\n"
        + "--page-size BYTES  page size of the dumped machine (default 4096)\n";

    private readonly bool _svgOnly;

    public ReportCommand(bool svgOnly = false)
    {
        _svgOnly = svgOnly;
    }

    public string Name => _svgOnly ? "flamegraph" : "report";

    public string Summary => _svgOnly
        ? "an interactive SVG flame graph of a page_owner dump (report --format svg)"
        : "a self-contained HTML report of a dump: flame graph, tables, memory map (--diff, --format svg)";

    public int Run(IReadOnlyList<string> args, CliContext context)
    {
        if (!TryParse(args, context, out var options))
        {
            return options?.ExitCode ?? 1;
        }

        PictureTotals? old = null;
        if (options.Diff && !TryLoad(options.Files[0], context, Name, out old, out int failure))
        {
            return failure;
        }

        if (!TryLoad(options.Files[^1], context, Name, out var current, out failure))
        {
            return failure;
        }

        string title = options.Title ?? (options.Diff
            ? $"page_owner diff: {Describe(options.Files[0])} to {Describe(options.Files[1])}"
            : $"page_owner: {Describe(options.Files[0])}");
        var data = new ReportData { Current = current, Old = old, Title = title, PageBytes = options.PageBytes };
        string output = options.Output ?? (options.Svg ? "flamegraph.svg" : "report.html");
        return Write(output, options.Files, data, options.Svg, context, Name);
    }

    /// <summary>Writes the report or SVG through <see cref="ReplacingOutput"/> and says where it went.</summary>
    public static int Write(string output, IEnumerable<string> inputs, ReportData data, bool svg, CliContext context, string command)
    {
        long bytes = 0;
        int exit = ReplacingOutput.Write(output, inputs, context, command, stream =>
        {
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

            bytes = stream.CanSeek ? stream.Position - start : 0;
        });
        if (exit == 0 && output != "-")
        {
            context.Stderr.WriteLine(string.Create(CultureInfo.InvariantCulture, $"pageext {command}: wrote {output} ({bytes / 1024.0:F0} KiB)"));
        }

        return exit;
    }

    private static string Describe(string path) => path == "-" ? "stdin" : Path.GetFileName(path);

    private sealed class Options
    {
        public List<string> Files { get; } = [];

        public string? Output { get; set; }

        public string? Title { get; set; }

        public bool Diff { get; set; }

        public bool Svg { get; set; }

        public int PageBytes { get; set; } = PageUnits.DefaultPageBytes;

        public int ExitCode { get; set; }
    }

    private bool TryParse(IReadOnlyList<string> args, CliContext context, [NotNullWhen(true)] out Options? options)
    {
        var parsed = new Options { Svg = _svgOnly };
        options = parsed;
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            if (arg is "-h" or "--help")
            {
                context.Stdout.Write(Usage);
                options.ExitCode = 0;
                return false;
            }

            int eq = arg.StartsWith("--", StringComparison.Ordinal) ? arg.IndexOf('=', StringComparison.Ordinal) : -1;
            string name = eq > 0 ? arg[..eq] : arg;
            string? inline = eq > 0 ? arg[(eq + 1)..] : null;
            switch (name)
            {
                case "--diff":
                    options.Diff = true;
                    continue;
                case "-o" or "--output" or "--format" or "--title" or "--page-size":
                    string? value = inline ?? (i + 1 < args.Count ? args[++i] : null);
                    if (value is null)
                    {
                        return Fail($"{name} needs a value");
                    }

                    if (name is "-o" or "--output")
                    {
                        options.Output = value;
                    }
                    else if (name == "--title")
                    {
                        options.Title = value;
                    }
                    else if (name == "--format")
                    {
                        if (value is not ("html" or "svg"))
                        {
                            return Fail($"--format is html or svg, not '{value}'");
                        }

                        options.Svg = value == "svg";
                    }
                    else if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int pageBytes) || pageBytes <= 0)
                    {
                        return Fail($"--page-size needs a positive integer, got '{value}'");
                    }
                    else
                    {
                        options.PageBytes = pageBytes;
                    }

                    continue;
            }

            if (arg.Length > 1 && arg[0] == '-')
            {
                return Fail($"unknown option '{arg}'");
            }

            options.Files.Add(arg);
        }

        int expected = options.Diff ? 2 : 1;
        if (options.Files.Count != expected)
        {
            return Fail(options.Diff ? $"--diff needs two dumps, old and new, got {options.Files.Count}" : $"expected one dump, got {options.Files.Count}");
        }

        if (options.Files.Count(f => f == "-") > 1)
        {
            return Fail("only one dump can come from standard input");
        }

        return true;

        bool Fail(string message)
        {
            context.Stderr.WriteLine($"pageext {Name}: {message}");
            context.Stderr.Write(Usage);
            parsed.ExitCode = 1;
            return false;
        }
    }

    /// <param name="failure">1 when the file cannot be opened, 2 when it is not a page_owner dump.</param>
    private static bool TryLoad(string path, CliContext context, string command, [NotNullWhen(true)] out PictureTotals? totals, out int failure)
    {
        totals = null;
        failure = 1;
        if (!CommandIo.TryOpenInput(path, context, command, out var input, out long length))
        {
            return false;
        }

        using (input)
        {
            var log = new DiagnosticLog();
            var progress = context.StderrIsTerminal ? new ProgressBar(context.Stderr, length) : null;
            try
            {
                totals = PictureTotals.Load(input, log, progress is null ? null : progress.Report);
            }
            catch (Exception e) when (e is InvalidDataException or IOException)
            {
                progress?.Clear();
                context.Stderr.WriteLine($"pageext {command}: {Describe(path)}: {e.Message}");
                return false;
            }

            progress?.Clear();
            string where = path == "-" ? "<stdin>" : path;
            log.WriteTo(context.Stderr, $"pageext {command}: {where}");
            if (totals.Records == 0)
            {
                context.Stderr.WriteLine($"pageext {command}: {where}: not a page_owner dump: no line starts a record (\"Page allocated via order ...\")");
                failure = 2;
                return false;
            }

            return true;
        }
    }
}
