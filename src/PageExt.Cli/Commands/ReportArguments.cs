using System.Diagnostics.CodeAnalysis;
using PageExt.Analysis.Dump;
using PageExt.Analysis.Reports;

namespace PageExt.Cli.Commands;

/// <summary>The small shared command line of `top` and `diff`, and loading a dump into totals.</summary>
internal sealed record ReportArguments(IReadOnlyList<string> Files, int Limit, int PageBytes, int ExitCode, ProcessMatch Match = ProcessMatch.Name)
{
    /// <param name="matchOption">Whether the command takes `--match-pid` (diff does, top does not).</param>
    public static bool TryParse(IReadOnlyList<string> args, int files, string usage, CliContext context, string command, out ReportArguments parsed, bool matchOption = false)
    {
        var positional = new List<string>();
        int limit = 10;
        int pageBytes = PageUnits.DefaultPageBytes;
        var match = ProcessMatch.Name;
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

            if (matchOption && arg == "--match-pid")
            {
                match = ProcessMatch.Pid;
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

        parsed = new ReportArguments(positional, limit, pageBytes, 0, match);
        return true;

        bool Fail(string message, out ReportArguments result)
        {
            context.Stderr.WriteLine($"pageext {command}: {message}");
            context.Stderr.Write(usage);
            result = new ReportArguments([], 0, 0, 1);
            return false;
        }
    }

    /// <returns>False with <paramref name="totals"/> null when the file cannot be opened, or set when it is not a dump.</returns>
    public static bool TryLoad(string path, CliContext context, string command, [NotNullWhen(true)] out DumpTotals? totals)
    {
        totals = null;
        if (!CommandIo.TryOpenInput(path, context, command, out var input, out long length))
        {
            return false;
        }

        using (input)
        {
            var log = new DiagnosticLog();
            var progress = context.StderrIsTerminal ? new ProgressBar(context.Stderr, length) : null;
            totals = DumpTotals.Load(input, log, progress is null ? null : progress.Report);
            progress?.Clear();
            string where = path == "-" ? "<stdin>" : path;
            log.WriteTo(context.Stderr, $"pageext {command}: {where}");
            if (totals.Records == 0 && log.SkippedRecords > 0)
            {
                context.Stderr.WriteLine($"pageext {command}: {where}: not a page_owner dump: no line starts a record (\"Page allocated via order ...\")");
                return false;
            }

            return true;
        }
    }
}
