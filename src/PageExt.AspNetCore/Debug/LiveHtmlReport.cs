using PageExt.Analysis.Dump;
using PageExt.Analysis.Pictures;
using PageExt.PageOwner;
using PageExt.Views;
using PageExt.Zones;

namespace PageExt.AspNetCore.Debug;

/// <summary>
/// `pageext report` of the live machine, as `pageext run --report` writes it: the records go through
/// the dump reader (staged in a temporary file, so memory stays bounded whatever the machine's
/// size), the pageblocks and buddyinfo come from the machine's views.
/// </summary>
internal static class LiveHtmlReport
{
    public static void Write(Stream output, Machine machine)
    {
        var snapshot = ProcFiles.Snapshot(machine);
        var zones = snapshot.Zones.Select(z => new LiveZone(z.Node, z.ZoneName, z.FreeBlocksPerOrder)).ToArray();
        var blocks = PageblockMap.Capture(machine)
            .Select(b => new LivePageblock(b.Node, b.ZoneName, b.StartPfn, b.Pages, b.FreePages, b.MigrateType, b.Mixed))
            .ToArray();

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
            totals = PictureTotals.Load(dump, new DiagnosticLog());
        }
        finally
        {
            File.Delete(temporary);
        }

        long mib = (machine.Zones.Sum(z => z.PresentPages) << Physical.PageSize.Shift) >> 20;
        HtmlReport.Write(output, new ReportData
        {
            Current = totals,
            Live = new LiveMemory(Pageblock.Order, zones, blocks),
            Title = machine.PageOwner.IsEnabled ? $"PageExt memory pool: {mib} MiB" : $"PageExt memory pool: {mib} MiB (page_owner off: no stacks)",
            PageBytes = Physical.PageSize.Bytes,
        });
    }
}
