using PageExt.Analysis.Pictures;
using PageExt.Views;
using PageExt.Zones;

namespace PageExt.Cli.Commands;

/// <summary>Copies a live machine's pageblocks and buddyinfo from the library's views into the report's input.</summary>
internal static class LiveMemoryCapture
{
    public static LiveMemory Capture(Machine machine, MemorySnapshot snapshot)
    {
        var zones = snapshot.Zones.Select(z => new LiveZone(z.Node, z.ZoneName, z.FreeBlocksPerOrder)).ToArray();
        var blocks = PageblockMap.Capture(machine)
            .Select(b => new LivePageblock(b.Node, b.ZoneName, b.StartPfn, b.Pages, b.FreePages, b.MigrateType, b.Mixed))
            .ToArray();
        return new LiveMemory(Pageblock.Order, zones, blocks);
    }
}
