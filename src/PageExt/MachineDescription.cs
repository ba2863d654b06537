namespace PageExt;

/// <summary>
/// What a machine is made of, before it boots: its memory, how it is split into NUMA nodes, the
/// holes in it, room for memory that can be hot-added later, and how many CPUs use it. Boot
/// options (page_owner=, debug_pagealloc=, ...) come on the command line.
/// </summary>
public sealed record MachineDescription
{
    /// <summary>Boot memory, holes included. Default 1 GiB; a multiple of 2 MiB, from 64 MiB to 16 TiB - 128 MiB with any hot-plug room (PFNs are 32-bit).</summary>
    public long MemoryBytes { get; init; } = 1L << 30;

    /// <summary>NUMA nodes; boot memory is split between them in whole sections.</summary>
    public int Nodes { get; init; } = 1;

    /// <summary>Physical ranges with no memory behind them (firmware holes, the PCI hole). Pageblock aligned.</summary>
    public IReadOnlyList<MemoryRange> Holes { get; init; } = [];

    /// <summary>Address space above boot memory where sections can be hot-added later.</summary>
    public long HotplugBytes { get; init; }

    /// <summary>CPUs, for the per-CPU page caches. Default: the host's.</summary>
    public int Cpus { get; init; } = Environment.ProcessorCount;

    /// <summary>The kernel command line (page_owner=on debug_pagealloc=on ...).</summary>
    public string CommandLine { get; init; } = "";

    public static MachineDescription Default { get; } = new();
}

/// <summary>A physical address range, in bytes.</summary>
public readonly record struct MemoryRange(long StartBytes, long SizeBytes)
{
    public long EndBytes => StartBytes + SizeBytes;
}
