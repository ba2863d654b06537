using System.Text;
using PageExt.Analysis.Dump;
using PageExt.PageOwner;
using PageExt.Views;
using PageExt.Zones;

namespace PageExt.Analysis.Pictures;

/// <summary>
/// A live machine as the report reads it, for `pageext run --report` and the server's report
/// endpoint alike: its pageblocks, buddyinfo and zoneinfo from the library's views, and its page_owner
/// records through the same reader as a dump's.
/// </summary>
internal static class LiveMachine
{
    public static LiveMemory Capture(Machine machine, MemorySnapshot snapshot)
    {
        var zones = snapshot.Zones.Select(z => new LiveZone(z.Node, z.ZoneName, z.FreeBlocksPerOrder)).ToArray();
        var blocks = PageblockMap.Capture(machine)
            .Select(b => new LivePageblock(b.Node, b.ZoneName, b.StartPfn, b.Pages, b.FreePages, b.MigrateType, b.Mixed))
            .ToArray();
        return new LiveMemory(Pageblock.Order, zones, blocks) { ZoneInfo = ReadZoneInfo(machine) };
    }

    /// <summary>
    /// The machine's zoneinfo view read back by the reader that reads a kernel's, so the report
    /// draws one model whatever its source. The view prints only lines the reader knows.
    /// </summary>
    private static IReadOnlyList<Proc.ProcZoneInfo> ReadZoneInfo(Machine machine)
    {
        using var text = new MemoryStream(Encoding.UTF8.GetBytes(ZoneInfo.Render(machine)));
        var diagnostics = new Text.TextDiagnostics();
        var zones = Proc.ZoneInfoReader.Read(text, diagnostics);
        return diagnostics.Warnings == 0 ? zones
            : throw new InvalidOperationException($"the zoneinfo view printed a line its reader does not take: {diagnostics.Kept[0]}");
    }

    /// <summary>
    /// The machine's page_owner records read back as a dump's are, staged in a temporary file so
    /// memory stays bounded whatever the machine's size. An <see cref="IOException"/> names
    /// <paramref name="temporary"/>'s trouble; the file is gone either way.
    /// </summary>
    public static PictureTotals LoadOwners(Machine machine, DiagnosticLog log, out string temporary)
    {
        temporary = Path.GetTempFileName();
        try
        {
            using var dump = new FileStream(temporary, FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.DeleteOnClose);
            if (machine.PageOwner.IsEnabled)
            {
                using var writer = new StreamWriter(dump, new UTF8Encoding(false), 1 << 16, leaveOpen: true) { NewLine = "\n" };
                PageOwnerDump.Write(writer, machine.PageOwner);
            }

            dump.Position = 0;
            return PictureTotals.Load(dump, log);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    /// <summary>The report's title: what the machine is, its size, and whether it has stacks to show.</summary>
    public static string Title(Machine machine, string what)
    {
        long mib = (machine.Zones.Sum(z => z.PresentPages) << Physical.PageSize.Shift) >> 20;
        return machine.PageOwner.IsEnabled ? $"{what}: {mib} MiB" : $"{what}: {mib} MiB (page_owner off: no stacks)";
    }
}
