using System.CommandLine;
using PageExt.Analysis.Reports;

namespace PageExt.Cli.Commands;

/// <summary>`pageext top`: the biggest stacks, processes and allocator classes of a dump, in MiB, as text, JSON or CSV.</summary>
internal sealed class TopCommand : ICliCommand
{
    public Command Create(CliContext context)
    {
        var options = new ReportArguments(ReportFormat.Text, ReportFormat.Json, ReportFormat.Csv);
        var dump = ReportArguments.Dump("dump", "A page_owner dump (`-`: stdin; gzip is read as is)");
        var command = new Command("top", "Per-stack, per-process and per-allocator totals of a page_owner dump, biggest first, in MiB") { dump };
        options.AddTo(command);
        command.SetAction(parsed =>
        {
            var totals = ReportArguments.Load(parsed.GetValue(dump)!, context, "top");
            switch (options.Format(parsed))
            {
                case ReportFormat.Json:
                    ReportArguments.WriteJson(context.Stdout, s => TopReportJson.Write(s, totals, options.PageBytes(parsed)));
                    break;
                case ReportFormat.Csv:
                    TopReportCsv.Write(context.Stdout, totals);
                    break;
                default:
                    TopReport.Write(context.Stdout, totals, options.Limit(parsed), options.PageBytes(parsed));
                    break;
            }

            context.Stdout.Flush();
            return ExitCodes.Success;
        });
        return command.WithExamples(
            ("pageext top /sys/kernel/debug/page_owner", "what holds the memory now"),
            ("pageext top --limit 3 --format json dump.txt.gz", "every stack, process and allocator as JSON"));
    }
}
