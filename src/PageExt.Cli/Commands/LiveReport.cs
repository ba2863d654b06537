using PageExt.Analysis.Dump;
using PageExt.Analysis.Pictures;
using PageExt.Cli.Files;
using PageExt.Views;

namespace PageExt.Cli.Commands;

/// <summary>
/// `pageext run --report PATH`: the report of a live machine. Its records go through the same
/// reader as a dump's (the page_owner dump, streamed through a temporary file so memory stays
/// bounded); the pageblocks, free pages and buddyinfo come from the machine itself.
/// </summary>
internal static class LiveReport
{
    /// <summary>Writes the report into <paramref name="output"/>, which the caller commits with its other outputs.</summary>
    public static void Write(Machine machine, MemorySnapshot snapshot, OutputFile output, CliContext context)
    {
        var live = LiveMachine.Capture(machine, snapshot);
        var log = new DiagnosticLog();
        PictureTotals totals;
        string temporary = "";
        try
        {
            totals = LiveMachine.LoadOwners(machine, log, out temporary);
        }
        catch (IOException e)
        {
            throw new CliException($"cannot stage the page_owner records for the report in '{(temporary.Length > 0 ? temporary : Path.GetTempPath())}': {e.Message}");
        }

        log.WriteTo(context.Stderr, "pageext run: report");
        var data = new ReportData
        {
            Current = totals,
            Live = live,
            Title = LiveMachine.Title(machine, "PageExt machine"),
            PageBytes = Physical.PageSize.Bytes,
        };
        ReportCommand.Write(output, data, svg: false);
    }
}
