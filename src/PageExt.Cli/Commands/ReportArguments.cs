using PageExt.Analysis.Dump;
using PageExt.Analysis.Reports;

namespace PageExt.Cli.Commands;

/// <summary>The small shared command line of `top` and `diff`, and loading a dump into totals.</summary>
internal sealed record ReportArguments(IReadOnlyList<string> Files, int Limit, int PageBytes, int ExitCode)
{
    public static bool TryParse(IReadOnlyList<string> args, int files, string usage, CliContext context, string command, out ReportArguments parsed)
    {
        var positional = new List<string>();
        int limit = 10;
        int pageBytes = PageUnits.DefaultPageBytes;
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            if (arg is "-h" or "--help")
            {
                context.Stdout.Write(usage);
                parsed = new ReportArguments([], 0, 0, 0);
                return false;
            }

            string? value = null;
            string name = arg;
            if (arg.StartsWith("--", StringComparison.Ordinal) && arg.Contains('=', StringComparison.Ordinal))
            {
                name = arg[..arg.IndexOf('=', StringComparison.Ordinal)];
                value = arg[(arg.IndexOf('=', StringComparison.Ordinal) + 1)..];
            }

            if (name is "--limit" or "--page-size")
            {
                value ??= i + 1 < args.Count ? args[++i] : null;
                if (!int.TryParse(value, out int number) || number <= 0)
                {
                    return Fail($"{name} needs a positive integer, got '{value}'", out parsed);
                }

                if (name == "--limit")
                {
                    limit = number;
                }
                else
                {
                    pageBytes = number;
                }

                continue;
            }

            if (arg.Length > 1 && arg[0] == '-')
            {
                return Fail($"unknown option '{arg}'", out parsed);
            }

            positional.Add(arg);
        }

        if (positional.Count != files)
        {
            return Fail($"expected {files} dump file{(files == 1 ? "" : "s")}, got {positional.Count}", out parsed);
        }

        parsed = new ReportArguments(positional, limit, pageBytes, 0);
        return true;

        bool Fail(string message, out ReportArguments result)
        {
            context.Stderr.WriteLine($"pageext {command}: {message}");
            context.Stderr.Write(usage);
            result = new ReportArguments([], 0, 0, 1);
            return false;
        }
    }

    /// <exception cref="CliException">The file cannot be opened (exit 1) or is not a page_owner dump (exit 2).</exception>
    public static DumpTotals Load(string path, CliContext context, string command)
    {
        using var input = CommandIo.OpenInput(path, context, out long length);
        var log = new DiagnosticLog();
        var progress = context.StderrIsTerminal ? new ProgressBar(context.Stderr, length) : null;
        var totals = DumpTotals.Load(input, log, progress is null ? null : progress.Report);
        progress?.Clear();
        string where = path == "-" ? "<stdin>" : path;
        log.WriteTo(context.Stderr, $"pageext {command}: {where}");
        if (totals.Records == 0 && log.SkippedRecords > 0)
        {
            throw new CliException($"{where}: not a page_owner dump: no line starts a record (\"Page allocated via order ...\")", ExitCodes.BadInput);
        }

        return totals;
    }
}
