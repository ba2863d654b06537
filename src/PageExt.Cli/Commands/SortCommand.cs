using PageExt.Analysis.Dump;
using PageExt.Analysis.Sort;

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
    public string Name => "sort";

    public string Summary => "page_owner_sort-compatible report of a page_owner dump (also json/csv/folded)";

    public int Run(IReadOnlyList<string> args, CliContext context)
    {
        var parsed = SortCommandLine.Parse(args);
        if (parsed.Options is not { } options)
        {
            if (parsed.Message is not null)
            {
                context.Stderr.WriteLine($"pageext sort: {parsed.Message}");
            }

            if (parsed.ShowUsage)
            {
                (parsed.ExitCode == 0 ? context.Stdout : context.Stderr).Write(SortCommandLine.ModernUsage);
            }

            return parsed.ExitCode;
        }

        if (!CommandIo.TryOpenInput(options.Input, context, "sort", out var input, out long length))
        {
            return 1;
        }

        using (input)
        {
            if (!CommandIo.TryOpenOutput(options.Output, context, "sort", out var output))
            {
                return 1;
            }

            using (output)
            {
                var log = new DiagnosticLog(options.Debug ? int.MaxValue : 50);
                var progress = context.StderrIsTerminal ? new ProgressBar(context.Stderr, length) : null;
                bool reportToStdout = options.Output == "-";
                SortResult result;
                try
                {
                    result = PageOwnerSorter.Run(
                        options,
                        input,
                        output,
                        log,
                        progress is null ? null : progress.Report,
                        reportToStdout ? null : context.Stdout.WriteLine);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // Past the memory budget the sort writes temporary runs: a full or unwritable
                    // temporary folder ends up here, as does a failing output.
                    progress?.Clear();
                    context.Stderr.WriteLine($"pageext sort: {e.Message}");
                    return 1;
                }

                progress?.Clear();
                string where = options.Input == "-" ? "<stdin>" : options.Input;
                log.WriteTo(context.Stderr, $"pageext sort: {where}");
                if (result.UnusableReason is { } reason)
                {
                    context.Stderr.WriteLine($"pageext sort: {where}: {reason}");
                    return 2;
                }
            }
        }

        return 0;
    }
}
