using PageExt.Analysis.Dump;
using PageExt.Analysis.Pictures;
using PageExt.Cli.Files;
using PageExt.PageOwner;
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
        var live = LiveMemoryCapture.Capture(machine, snapshot);
        var log = new DiagnosticLog();
        PictureTotals totals;
        string temporary = Path.GetTempFileName();
        try
        {
            using var dump = new FileStream(temporary, FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.DeleteOnClose);
            if (machine.PageOwner.IsEnabled)
            {
                using var writer = new StreamWriter(dump, new System.Text.UTF8Encoding(false), 1 << 16, leaveOpen: true) { NewLine = "\n" };
                PageOwnerDump.Write(writer, machine.PageOwner);
            }

            dump.Position = 0;
            totals = PictureTotals.Load(dump, log);
        }
        catch (IOException e)
        {
            throw new CliException($"cannot stage the page_owner records for the report in '{temporary}': {e.Message}");
        }
        finally
        {
            File.Delete(temporary);
        }

        log.WriteTo(context.Stderr, "pageext run: report");
        long mib = (machine.Zones.Sum(z => z.PresentPages) << Physical.PageSize.Shift) >> 20;
        var data = new ReportData
        {
            Current = totals,
            Live = live,
            Title = machine.PageOwner.IsEnabled ? $"PageExt machine: {mib} MiB" : $"PageExt machine: {mib} MiB (page_owner off: no stacks)",
            PageBytes = Physical.PageSize.Bytes,
        };
        ReportCommand.Write(output, data, svg: false);
    }
}
