using PageExt.Analysis.Crash;
using PageExt.Analysis.Dmesg;
using PageExt.Analysis.Dump;
using PageExt.Analysis.Inputs;
using PageExt.Cli.Files;
using PageExt.Analysis.Text;

namespace PageExt.Cli.Commands;

/// <summary>
/// Opening inputs the same way in every command, with one line naming the input on failure. An input
/// is told by its content (<see cref="InputDetector"/>): a kernel log's page_owner reports become
/// records, so every command that reads a dump reads a dmesg too.
/// </summary>
internal static class CommandIo
{
    /// <summary>Opens an input as page_owner records: a dump as it is, a kernel log as the records of its reports.</summary>
    /// <exception cref="CliException">The input is missing, a directory or unreadable (exit 1); a kernel log with no page_owner report, or a text that holds no records (exit 2).</exception>
    public static Stream OpenInput(string path, CliContext context, out long length, string command = "")
    {
        var text = OpenText(path, context, out length);
        try
        {
            return Records(text, path, context, command, ref length);
        }
        catch
        {
            text.Dispose();
            throw;
        }
    }

    /// <summary>Opens an input and tells what kernel text it is.</summary>
    /// <exception cref="CliException">The input is missing, a directory or unreadable.</exception>
    public static KernelText OpenText(string path, CliContext context, out long length)
    {
        InputFile.Check("input", path);
        try
        {
            return KernelText.Open(DumpSource.Open(path, context.OpenStdin, out length));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw InputFile.CannotOpen("input", path, e);
        }
    }

    /// <summary>The records of an opened text: a dump's own, or a kernel log's reports written as a dump.</summary>
    /// <exception cref="CliException">A kernel log with no page_owner report, or a text of another kind (exit 2).</exception>
    public static Stream Records(KernelText text, string path, CliContext context, string command, ref long length)
    {
        switch (text.Kind)
        {
            case InputKind.PageOwnerDump or InputKind.Unknown:
                return text.Stream;
            case InputKind.KernelLog:
                var log = ReadLog(text, path, context, command);
                text.Dispose();
                var records = KernelText.RecordsOf(log);
                length = records.Length;
                return records;
            case InputKind.CrashPageOwner:
                var (_, pages) = ReadCrash(text, path, context, command);
                text.Dispose();
                if (pages is null)
                {
                    throw new CliException($"{Where(path)}: {KernelText.Describe(text.Kind)} with per-stack totals (pageowner -t) only, not page records; `pageext top`, `diff` and `report` read it", ExitCodes.BadInput);
                }

                length = pages.Length;
                return pages;
            default:
                throw new CliException($"{Where(path)}: {KernelText.Describe(text.Kind)}, not page_owner records; {ReadBy(text.Kind)}", ExitCodes.BadInput);
        }
    }

    /// <summary>Reads a kernel log's reports, naming on stderr every line it mends, skips or sets aside.</summary>
    /// <exception cref="CliException">The log has no report with page_owner's allocation line (exit 2).</exception>
    public static DmesgLog ReadLog(KernelText text, string path, CliContext context, string command, bool requireOwner = true)
    {
        var diagnostics = new TextDiagnostics();
        var log = DmesgReader.Read(text.Stream, diagnostics);
        diagnostics.WriteTo(context.Stderr, Prefix(command, path));
        if (requireOwner && !log.WithOwner.Any())
        {
            string reports = log.Reports.Count == 0 ? "" : $" (its {log.Reports.Count} page report{(log.Reports.Count == 1 ? "" : "s")} print no \"page last allocated via\" line: page_owner was off, or the lines were lost)";
            throw new CliException($"{Where(path)}: a kernel log with no page_owner report in it{reports}", ExitCodes.BadInput);
        }

        return log;
    }

    /// <summary>
    /// Reads a crash session's pageowner output, naming on stderr every line it skips or passes over;
    /// its ALLOC records come back as a dump, or null when it holds only `pageowner -t` totals.
    /// </summary>
    /// <exception cref="CliException">Neither an ALLOC record nor a per-stack total (exit 2).</exception>
    public static (CrashPageOwnerLog Log, Stream? Records) ReadCrash(KernelText text, string path, CliContext context, string command)
    {
        var diagnostics = new TextDiagnostics();
        var log = CrashPageOwnerReader.Read(text.Stream, diagnostics);
        var records = log.Allocations.Any() ? CrashRecordWriter.Records(log, diagnostics) : null;
        diagnostics.WriteTo(context.Stderr, Prefix(command, path));
        if (records is null && log.Stacks.Count == 0)
        {
            throw new CliException($"{Where(path)}: {KernelText.Describe(text.Kind)} with no ALLOC record and no \"Allocated N times\" entry", ExitCodes.BadInput);
        }

        return (log, records);
    }

    public static string Where(string path) => path == "-" ? "<stdin>" : path;

    public static string Prefix(string command, string path) => $"pageext{(command.Length > 0 ? " " + command : "")}: {Where(path)}";

    private static string ReadBy(InputKind kind) => kind switch
    {
        InputKind.PageOwnerStacks or InputKind.SortOutput or InputKind.CrashPageOwner => "`pageext top`, `diff` and `report` read it",
        InputKind.PageTypeInfo or InputKind.BuddyInfo or InputKind.ZoneInfo => "`pageext report` draws it",
        _ => "no pageext command reads it",
    };
}
