namespace PageExt.Stacks;

/// <summary>
/// A snapshot of <see cref="StackDepot"/> counters (the kernel's debugfs stackdepot/stats plus
/// lookup counters). Counters are read one by one without a lock, so under concurrent saving they
/// are individually exact but not mutually consistent.
/// </summary>
/// <param name="Records">Records stored: stacks, sentinels included (persistent_count), and alias keys (<see cref="StackDepot.SaveAlias"/>).</param>
/// <param name="Bytes">Pool bytes taken by records, 16-byte aligned (persistent_bytes).</param>
/// <param name="Pools">16 KiB pools allocated.</param>
/// <param name="MaxPools">The capacity, in pools.</param>
/// <param name="Hits">Saves and lookups that found an existing record.</param>
/// <param name="Misses">Saves that stored a new record.</param>
/// <param name="Failures">Saves that could not store (depot full or disabled).</param>
/// <param name="LimitReached">True once a save failed for lack of pools ("Stack depot reached limit capacity").</param>
public readonly record struct StackDepotStats(
    int Records,
    long Bytes,
    int Pools,
    int MaxPools,
    long Hits,
    long Misses,
    long Failures,
    bool LimitReached);
