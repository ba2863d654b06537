namespace PageExt.Views;

/// <summary>/proc/buddyinfo (mm/vmstat.c frag_show_print): free blocks per order, per populated zone.</summary>
public static class BuddyInfo
{
    public static void Write(TextWriter output, MemorySnapshot snapshot)
    {
        foreach (var zone in snapshot.Zones)
        {
            output.Write($"Node {zone.Node}, zone {zone.ZoneName,8} ");
            foreach (long blocks in zone.FreeBlocksPerOrder)
            {
                output.Write($"{blocks,6} ");
            }

            output.Write('\n');
        }
    }

    public static string Render(MemorySnapshot snapshot)
    {
        using var writer = new StringWriter();
        Write(writer, snapshot);
        return writer.ToString();
    }
}
