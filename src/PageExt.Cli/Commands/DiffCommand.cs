using PageExt.Analysis.Reports;

namespace PageExt.Cli.Commands;

/// <summary>`pageext diff [--limit N] [--page-size BYTES] &lt;old&gt; &lt;new&gt;`: what grew and what shrank between two dumps.</summary>
internal sealed class DiffCommand : ICliCommand
{
    private const string Usage = "Usage: pageext diff [--limit N] [--page-size BYTES] <old> <new>\n"
        + "Stacks, processes and allocators whose pages grew or shrank between two page_owner dumps,\n"
        + "sorted by growth in pages, with the change in MiB.\n"
        + "--limit N          entries per table (default 10)\n"
        + "--page-size BYTES  page size of the dumped machine (default 4096)\n";

    public string Name => "diff";

    public string Summary => "what grew or shrank between two page_owner dumps (stacks, processes, allocators)";

    public int Run(IReadOnlyList<string> args, CliContext context)
    {
        if (!ReportArguments.TryParse(args, 2, Usage, context, "diff", out var parsed))
        {
            return parsed.ExitCode;
        }

        var before = ReportArguments.Load(parsed.Files[0], context, "diff");
        var after = ReportArguments.Load(parsed.Files[1], context, "diff");

        DiffReport.Write(context.Stdout, before, after, parsed.Limit, parsed.PageBytes);
        context.Stdout.Flush();
        return 0;
    }
}
