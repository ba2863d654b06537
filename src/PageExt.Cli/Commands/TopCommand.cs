using PageExt.Analysis.Dump;
using PageExt.Analysis.Reports;

namespace PageExt.Cli.Commands;

/// <summary>`pageext top [--limit N] [--page-size BYTES] &lt;dump&gt;`: the biggest stacks, processes and allocator classes in MiB.</summary>
internal sealed class TopCommand : ICliCommand
{
    private const string Usage = "Usage: pageext top [--limit N] [--page-size BYTES] <dump|->\n"
        + "Per-stack, per-process and per-allocator totals of a page_owner dump, biggest first, in MiB.\n"
        + "--limit N          entries per table (default 10)\n"
        + "--page-size BYTES  page size of the dumped machine (default 4096)\n";

    public string Name => "top";

    public string Summary => "biggest stacks, processes and allocators of a page_owner dump, in MiB";

    public int Run(IReadOnlyList<string> args, CliContext context)
    {
        if (!ReportArguments.TryParse(args, 1, Usage, context, "top", out var parsed))
        {
            return parsed.ExitCode;
        }

        var totals = ReportArguments.Load(parsed.Files[0], context, "top");

        TopReport.Write(context.Stdout, totals, parsed.Limit, parsed.PageBytes);
        context.Stdout.Flush();
        return 0;
    }
}
