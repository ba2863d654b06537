using PageExt.Physical;

namespace PageExt.Zones;

/// <summary>A NUMA node (pg_data_t): a PFN range and the zones that divide it.</summary>
public sealed class Node
{
    internal Node(int id, Pfn startPfn, ulong spannedPages, Zone[] zones)
    {
        Id = id;
        StartPfn = startPfn;
        SpannedPages = spannedPages;
        Zones = zones;
    }

    public int Id { get; }

    public Pfn StartPfn { get; }

    public ulong SpannedPages { get; internal set; }

    /// <summary>All zone slots of the node, indexed by <see cref="ZoneType"/>, populated or not.</summary>
    public IReadOnlyList<Zone> Zones { get; }

    public Zone Zone(ZoneType type) => Zones[(int)type];
}
