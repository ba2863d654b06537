namespace PageExt.Views;

/// <summary>
/// /proc/pagetypeinfo (mm/vmstat.c pagetypeinfo_show): free blocks per order and migrate type,
/// pageblocks per type, and, when page_owner is on, mixed pageblocks per type.
/// </summary>
public static class PageTypeInfo
{
    /// <summary>pagetypeinfo_showfree_print caps each walk here and prints "&gt;100000".</summary>
    public const long FreeCountCap = 100000;

    public static void Write(TextWriter output, MemorySnapshot snapshot)
    {
        output.Write($"Page block order: {snapshot.PageblockOrder}\n");
        output.Write($"Pages per block:  {1 << snapshot.PageblockOrder}\n");
        output.Write('\n');
        output.Write($"{"Free pages count per migrate type at order",-43} ");
        for (int order = 0; order < snapshot.Orders; order++)
        {
            output.Write($"{order,6} ");
        }

        output.Write('\n');
        foreach (var zone in snapshot.Zones)
        {
            for (int t = 0; t < snapshot.TypeNames.Count; t++)
            {
                output.Write($"Node {zone.Node,4}, zone {zone.ZoneName,8}, type {snapshot.TypeNames[t],12} ");
                foreach (long blocks in zone.FreeBlocks[t])
                {
                    output.Write(blocks >= FreeCountCap ? $">{FreeCountCap,6} " : $"{blocks,6} ");
                }

                output.Write('\n');
            }
        }

        WriteCounts(output, snapshot, "Number of blocks type ", z => z.PageblockCounts);
        if (snapshot.Zones.Count > 0 && snapshot.Zones.All(z => z.MixedBlockCounts is not null))
        {
            WriteCounts(output, snapshot, "Number of mixed blocks ", z => z.MixedBlockCounts!);
        }
    }

    public static string Render(MemorySnapshot snapshot)
    {
        using var writer = new StringWriter();
        Write(writer, snapshot);
        return writer.ToString();
    }

    private static void WriteCounts(TextWriter output, MemorySnapshot snapshot, string title, Func<ZoneSnapshot, long[]> counts)
    {
        output.Write($"\n{title,-23}");
        foreach (var name in snapshot.TypeNames)
        {
            output.Write($"{name,12} ");
        }

        output.Write('\n');
        foreach (var zone in snapshot.Zones)
        {
            output.Write($"Node {zone.Node}, zone {zone.ZoneName,8} ");
            foreach (long count in counts(zone))
            {
                output.Write($"{count,12} ");
            }

            output.Write('\n');
        }
    }
}
