using PageExt.Analysis.Reports;

namespace PageExt.Cli.Commands;

/// <summary>`pageext diff [--limit N] [--page-size BYTES] [--match-pid] &lt;old&gt; &lt;new&gt;`: what grew and what shrank between two dumps.</summary>
internal sealed class DiffCommand : ICliCommand
{
    private const string Usage = "Usage: pageext diff [--limit N] [--page-size BYTES] [--match-pid] <old> <new>\n"
        + "Stacks, processes and allocators whose pages grew or shrank between two page_owner dumps,\n"
        + "sorted by growth in pages, with the change in MiB. Stacks match by their frames, processes\n"
        + "by name (pids differ between boots).\n"
        + "--limit N          entries per table (default 10)\n"
        + "--page-size BYTES  page size of the dumped machine (default 4096)\n"
        + "--match-pid        match processes by tgid instead of by name (two dumps of one boot)\n";

    public string Name => "diff";

    public string Summary => "what grew or shrank between two page_owner dumps (stacks, processes, allocators)";

    public int Run(IReadOnlyList<string> args, CliContext context)
    {
        if (!ReportArguments.TryParse(args, 2, Usage, context, "diff", out var parsed, matchOption: true))
        {
            return parsed.ExitCode;
        }

        if (!ReportArguments.TryLoad(parsed.Files[0], context, "diff", out var before))
        {
            return before is null ? 1 : 2;
        }

        if (!ReportArguments.TryLoad(parsed.Files[1], context, "diff", out var after))
        {
            return after is null ? 1 : 2;
        }

        DiffReport.Write(context.Stdout, before, after, parsed.Limit, parsed.PageBytes, parsed.Match);
        context.Stdout.Flush();
        return 0;
    }
}
