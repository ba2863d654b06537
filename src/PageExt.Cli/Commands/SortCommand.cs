using System.CommandLine;
using System.CommandLine.Parsing;
using System.Text.RegularExpressions;
using PageExt.Analysis.Dump;
using PageExt.Analysis.Reports;
using PageExt.Analysis.Sort;
using PageExt.Cli.Files;

namespace PageExt.Cli.Commands;

/// <summary>
/// `pageext sort [options] &lt;input&gt; &lt;output&gt;`: tools/mm/page_owner_sort, streaming. The
/// progress lines the C tool prints on stdout ("loaded N", "sorting ....", "culling") are printed
/// there too when the report goes to a file, and dropped when the report itself goes to stdout.
/// Exit codes: 0 done, 1 usage or a file that cannot be opened (as page_owner_sort), 2 the input is
/// not a page_owner dump.
/// </summary>
internal sealed class SortCommand : ICliCommand
{
    public Command Create(CliContext context)
    {
        // page_owner_sort's exact getopt_long syntax (bundled short options, unique prefixes of long
        // options, --opt=value, options after the files) is parsed by SortCommandLine, the port of
        // the C tool; System.CommandLine hands it every token unchanged.
        var arguments = new Argument<string[]>("arguments")
        {
            Arity = ArgumentArity.ZeroOrMore,
            CaptureRemainingTokens = true,
            HelpName = "options-and-files",
            Description = "page_owner_sort's options and files, below",
        };
        var command = new Command("sort", "page_owner_sort-compatible report of a page_owner dump (also json, csv, folded)")
        {
            arguments,
        };
        command.SetAction(parsed => Run(Tokens(parsed, command), context));
        return command
            .WithDetails("page_owner_sort's options:\n" + SortCommandLine.ModernUsage[SortCommandLine.ModernUsage.IndexOf('\n', StringComparison.Ordinal)..].TrimStart('\n'))
            .WithExamples(
            ("pageext sort page_owner_full.txt sorted.txt", "group identical records, most frequent first (the kernel tool's default)"),
            ("pageext sort --cull=stacktrace -s dump.txt -", "one entry per stack, largest first, to stdout"),
            ("pageext sort --format=folded dump.txt.gz stacks.folded", "folded stacks for flamegraph.pl"),
            ("pageext sort --compat=2014 old_dump.txt sorted.txt", "the 3.19 tool's behaviour"));
    }

    /// <summary>The tokens after `sort` as the user typed them (response files expanded), "--" included.</summary>
    private static List<string> Tokens(ParseResult parsed, Command command)
    {
        var tokens = new List<string>();
        bool seen = false;
        foreach (var token in parsed.Tokens)
        {
            if (!seen)
            {
                seen = token.Type == TokenType.Command && token.Value == command.Name;
                continue;
            }

            if (token.Value != ErrorHandler.VerboseOption || token.Type != TokenType.Option)
            {
                tokens.Add(token.Value);
            }
        }

        return tokens;
    }

    private static int Run(IReadOnlyList<string> args, CliContext context)
    {
        var parsed = SortCommandLine.Parse(args);
        if (parsed.Options is not { } options)
        {
            if (parsed.Message is not null)
            {
                context.Stderr.WriteLine($"pageext sort: {parsed.Message}");
                if (Suggestion(parsed.Message) is { } suggestion)
                {
                    context.Stderr.WriteLine($"Did you mean {suggestion}?");
                }
            }

            if (parsed.ShowUsage)
            {
                (parsed.ExitCode == 0 ? context.Stdout : context.Stderr).Write(SortCommandLine.ModernUsage);
            }

            return parsed.ExitCode;
        }

        InputFile.Check("input", options.Input);
        using var output = OutputFile.OpenAll([("output", options.Output)], [options.Input], context)[0];
        using var input = CommandIo.OpenInput(options.Input, context, out long length, "sort");
        var log = new DiagnosticLog(options.Debug ? int.MaxValue : 50);
        var progress = context.StderrIsTerminal ? new ProgressBar(context.Stderr, length) : null;
        var result = SortReport.Run(
            options,
            input,
            output.Stream,
            log,
            progress is null ? null : progress.Report,
            output.IsStdout ? null : context.Stdout.WriteLine);
        progress?.Clear();
        string where = options.Input == "-" ? "<stdin>" : options.Input;
        log.WriteTo(context.Stderr, $"pageext sort: {where}");
        if (result.UnusableReason is { } reason)
        {
            // The old output, if any, stays as it was: the report is not committed.
            throw new CliException($"{where}: {reason}", ExitCodes.BadInput);
        }

        output.Commit();
        return 0;
    }

    /// <summary>
    /// The closest of page_owner_sort's long options to an unrecognised one: System.CommandLine
    /// suggests for the other commands, but sort's options are the getopt port's, so the names come
    /// from its usage text.
    /// </summary>
    private static string? Suggestion(string message)
    {
        var unknown = Regex.Match(message, "unrecognized option '--(?<name>[^'=]+)");
        if (!unknown.Success)
        {
            return null;
        }

        string given = unknown.Groups["name"].Value;
        return Regex.Matches(SortCommandLine.ModernUsage, @"--(?<name>[a-z]+)")
            .Select(m => m.Groups["name"].Value)
            .Distinct(StringComparer.Ordinal)
            .Select(name => (Name: name, Distance: Distance(given, name)))
            .Where(c => c.Distance <= Math.Max(1, c.Name.Length / 3))
            .OrderBy(c => c.Distance)
            .Select(c => "--" + c.Name)
            .FirstOrDefault();
    }

    /// <summary>Levenshtein distance, small strings only.</summary>
    private static int Distance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (int i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }

            previous = current;
        }

        return previous[b.Length];
    }
}
