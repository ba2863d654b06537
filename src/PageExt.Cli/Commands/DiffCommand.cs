using System.CommandLine;
using PageExt.Analysis.Reports;

namespace PageExt.Cli.Commands;

/// <summary>
/// `pageext diff old new`: what grew and what shrank between two dumps. Exit codes as diff(1):
/// 0 no change, 1 changes found, 2 trouble (any failure, usage errors included).
/// </summary>
internal sealed class DiffCommand : ICliCommand
{
    public Command Create(CliContext context)
    {
        var options = new ReportArguments(ReportFormat.Text, ReportFormat.Json, ReportFormat.Csv, ReportFormat.Folded);
        var old = ReportArguments.Dump("old", "The earlier page_owner dump (`-`: stdin)");
        var @new = ReportArguments.Dump("new", "The later page_owner dump");
        var matchPid = new Option<bool>("--match-pid")
        {
            Description = "Match processes by tgid instead of by name (for two dumps of one boot; pids differ between boots)",
        };
        var command = new Command("diff", "Stacks, processes and allocators whose pages grew or shrank between two page_owner dumps, by growth in pages. "
            + "Exit 0: no change, 1: changes found, 2: trouble (as diff(1))") { old, @new };
        options.AddTo(command);
        command.Options.Add(matchPid);
        command.SetAction(parsed =>
        {
            var before = ReportArguments.Load(parsed.GetValue(old)!, context, "diff");
            var after = ReportArguments.Load(parsed.GetValue(@new)!, context, "diff");
            var match = parsed.GetValue(matchPid) ? ProcessMatch.Pid : ProcessMatch.Name;
            var tables = DiffTables.Compare(before, after, match);
            switch (options.Format(parsed))
            {
                case ReportFormat.Json:
                    ReportArguments.WriteJson(context.Stdout, s => DiffReportJson.Write(s, before, after, tables, options.PageBytes(parsed)));
                    break;
                case ReportFormat.Csv:
                    DiffReportCsv.Write(context.Stdout, tables);
                    break;
                case ReportFormat.Folded:
                    DiffFoldedWriter.Write(context.Stdout, before, after);
                    break;
                default:
                    DiffReport.Write(context.Stdout, before, after, options.Limit(parsed), options.PageBytes(parsed), match);
                    break;
            }

            context.Stdout.Flush();
            return tables.Changed || before.Pages != after.Pages || before.Records != after.Records ? ExitCodes.DiffChanges : ExitCodes.Success;
        });
        return command.WithTroubleExitCode(ExitCodes.DiffTrouble).WithExamples(
            ("pageext diff before.txt after.txt", "what grew: the leak hunter's view (processes matched by name, so two boots compare)"),
            ("pageext diff --match-pid t0.txt t1.txt", "two dumps of one boot: processes matched by tgid"),
            ("pageext diff --format folded before.txt after.txt | flamegraph.pl > diff.svg", "a differential flame graph"),
            ("pageext diff --format csv old.txt new.txt > changes.csv || echo changed", "exit code 1 when anything changed, as diff(1)"));
    }
}
