namespace PageExt.Zones;

/// <summary>
/// A pageblock: the unit that carries a migrate type (pageblock_order, 2 MiB on x86-64). Fallback
/// allocations steal whole pageblocks so that mobility types stay grouped.
/// </summary>
public static class Pageblock
{
    public const int Order = 9;

    public const int Pages = 1 << Order;
}
