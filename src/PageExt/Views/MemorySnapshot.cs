using PageExt.Buddy;
using PageExt.Zones;

namespace PageExt.Views;

/// <summary>
/// A read-only capture of the free-memory statistics of every populated zone. Views read; they
/// never drain per-CPU caches or change anything, except that a capture with mixed-block counts
/// asks the counter for them (which drains, as the kernel's pagetypeinfo does for that section).
/// </summary>
public sealed record MemorySnapshot(
    int PageblockOrder,
    int Orders,
    IReadOnlyList<string> TypeNames,
    IReadOnlyList<ZoneSnapshot> Zones)
{
    /// <summary>
    /// Capture a machine. <paramref name="showCma"/> adds the CMA column (a kernel built with
    /// CONFIG_CMA); <paramref name="mixedBlocks"/>, when given, supplies "Number of mixed blocks"
    /// per zone and column (page_owner's pagetypeinfo_showmixedcount).
    /// </summary>
    public static MemorySnapshot Capture(Machine machine, bool showCma, Func<Zone, long[]>? mixedBlocks = null)
    {
        ArgumentNullException.ThrowIfNull(machine);
        using var operation = machine.EnterOperation();
        var types = Columns(showCma);
        var zones = new List<ZoneSnapshot>();
        foreach (var zone in machine.PopulatedZones)
        {
            var free = types.Select(t => Enumerable.Range(0, PageOrder.Count).Select(o => zone.FreeBlocks(o, t)).ToArray()).ToArray();
            var perOrder = Enumerable.Range(0, PageOrder.Count).Select(o => zone.FreeBlocks(o)).ToArray();
            var blocks = CountPageblocks(machine, zone);
            long[]? mixed = null;
            if (mixedBlocks is not null)
            {
                var all = mixedBlocks(zone);
                mixed = types.Select(t => all[(int)t]).ToArray();
            }

            zones.Add(new ZoneSnapshot(zone.Node, zone.Name, free, types.Select(t => blocks[(int)t]).ToArray(), mixed)
            {
                FreeBlocksPerOrder = perOrder,
            });
        }

        return new MemorySnapshot(Pageblock.Order, PageOrder.Count, types.Select(MigrateTypes.Name).ToArray(), zones);
    }

    /// <summary>The migrate types that exist in the build, in enum order.</summary>
    private static MigrateType[] Columns(bool showCma) => showCma
        ? [MigrateType.Unmovable, MigrateType.Movable, MigrateType.Reclaimable, MigrateType.HighAtomic, MigrateType.Cma, MigrateType.Isolate]
        : [MigrateType.Unmovable, MigrateType.Movable, MigrateType.Reclaimable, MigrateType.HighAtomic, MigrateType.Isolate];

    /// <summary>pagetypeinfo_showblockcount_print(): each online pageblock of the zone, by type.</summary>
    private static long[] CountPageblocks(Machine machine, Zone zone)
    {
        var counts = new long[MigrateTypes.Count];
        for (ulong pfn = zone.StartPfn.Value; pfn < zone.EndPfn.Value; pfn += Pageblock.Pages)
        {
            var p = new Physical.Pfn(pfn);
            if (machine.Allocator.ZoneOf(p) == zone)
            {
                counts[(int)machine.Allocator.PageblockMigrateType(p)]++;
            }
        }

        return counts;
    }
}
