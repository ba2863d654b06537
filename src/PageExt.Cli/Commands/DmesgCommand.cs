using System.CommandLine;
using System.Globalization;
using PageExt.Analysis.Dmesg;
using PageExt.Analysis.Inputs;
using PageExt.Analysis.Text;

namespace PageExt.Cli.Commands;

/// <summary>
/// `pageext dmesg LOG [--records]`: what a kernel log says about page ownership. Every page report
/// (Bad page state, KASAN, pagealloc corruption, any dump_page) with its page_owner allocation and
/// free data, page allocation failures, and page_ext's boot lines; or, with --records, the reports
/// as page_owner records, the dump every other command reads.
/// </summary>
internal sealed class DmesgCommand : ICliCommand
{
    public Command Create(CliContext context)
    {
        var input = new Argument<string>("log") { HelpName = "log", Description = "A kernel log: dmesg, journalctl or syslog text, or a mail's excerpt (`-`: stdin; gzip is read as is)" };
        var records = new Option<bool>("--records") { Description = "Print the reports as page_owner records (the debugfs format sort, top and report read) instead of the listing" };
        var command = new Command("dmesg", "The page_owner reports of a kernel log (Bad page state, KASAN, pagealloc corruption), page allocation failures and page_ext's boot lines")
        {
            input, records,
        };
        command.SetAction(parsed =>
        {
            string path = parsed.GetValue(input)!;
            using var text = CommandIo.OpenText(path, context, out _);
            if (text.Kind is not (InputKind.KernelLog or InputKind.Unknown))
            {
                throw new CliException($"{CommandIo.Where(path)}: {KernelText.Describe(text.Kind)}, not a kernel log", ExitCodes.BadInput);
            }

            bool asRecords = parsed.GetValue(records);
            var log = CommandIo.ReadLog(text, path, context, "dmesg", requireOwner: asRecords);
            if (log.IsEmpty)
            {
                throw new CliException($"{CommandIo.Where(path)}: no page report, page allocation failure or page_ext line in it", ExitCodes.BadInput);
            }

            if (asRecords)
            {
                foreach (var report in log.WithOwner)
                {
                    OwnerRecordWriter.Write(context.Stdout, report);
                }
            }
            else
            {
                Write(context.Stdout, log);
            }

            context.Stdout.Flush();
            return ExitCodes.Success;
        });
        return command.WithExamples(
            ("pageext dmesg /var/log/kern.log", "every page report and who allocated and freed the page"),
            ("journalctl -k | pageext dmesg -", "the same from the journal"),
            ("pageext dmesg --records bug.txt | pageext top -", "the reports as records, for any command (top reads bug.txt directly too)"));
    }

    internal static void Write(TextWriter output, DmesgLog log)
    {
        int owned = log.WithOwner.Count();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{log.Reports.Count} page report{(log.Reports.Count == 1 ? "" : "s")}, {owned} with page_owner's allocation line; {log.Facts.Count} page_ext, page_owner or allocation failure line{(log.Facts.Count == 1 ? "" : "s")}"));
        foreach (var report in log.Reports)
        {
            output.WriteLine();
            string pfn = report.Pfn is { } p ? string.Create(CultureInfo.InvariantCulture, $", pfn 0x{p:x}") : "";
            string caller = report.Caller.Length > 0 ? $", printed by [{report.Caller}]" : "";
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"line {report.Line}: {report.Kind}{pfn}{caller}{(report.Title == report.Kind ? "" : ": " + report.Title)}"));
            if (report.Reason is { } reason)
            {
                output.WriteLine($"  dumped because: {reason}");
            }

            if (report.Flags is { } flags)
            {
                output.WriteLine($"  flags: {flags}");
            }

            if (report.Tracks is { } tracks)
            {
                output.WriteLine($"  page_owner tracks the page as {tracks}");
            }

            if (report.OwnerMissing is { } missing)
            {
                output.WriteLine($"  {missing}");
            }

            if (report.Alloc is { } alloc)
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  allocated (line {alloc.Line}): order {alloc.Order}, migratetype {alloc.MigrateType}, gfp_mask {alloc.GfpMask}{Field("pid", alloc.Pid)}{Field("tgid", alloc.Tgid)}{(alloc.Comm is null ? "" : $" ({alloc.Comm})")}{Field("ts", alloc.Ts)}{Field("free_ts", alloc.FreeTs)}"));
                WriteStack(output, report.AllocStack);
            }
            else if (report.OwnerMissing is null)
            {
                output.WriteLine("  no page_owner allocation line (page_owner off, or the lines were not printed)");
            }

            if (report.FreeStackGiven)
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  last freed{Field("pid", report.FreePid).TrimStart(',')}{Field("tgid", report.FreeTgid)}{Field("ts", report.FreeTs)}:"));
                WriteStack(output, report.FreeStack);
            }

            foreach (string line in report.Missing)
            {
                output.WriteLine($"  {line}");
            }

            if (report.MigrateReason is { } migrated)
            {
                output.WriteLine($"  migrated, last migrate reason: {migrated}");
            }
        }

        if (log.Facts.Count > 0)
        {
            output.WriteLine();
        }

        foreach (var fact in log.Facts)
        {
            string kind = fact.Kind switch
            {
                LogFactKind.PageExtAllocated => "page_ext",
                LogFactKind.EarlyAllocated => "page_owner",
                _ => "allocation failure",
            };
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"line {fact.Line}: {kind}: {fact.Text}"));
        }
    }

    private static string Field(string name, long? value) =>
        value is { } v ? string.Create(CultureInfo.InvariantCulture, $", {name} {v}") : "";

    private static void WriteStack(TextWriter output, List<string> frames)
    {
        foreach (string frame in frames)
        {
            output.WriteLine($"    {frame}");
        }
    }
}
