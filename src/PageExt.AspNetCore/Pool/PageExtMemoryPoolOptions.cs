namespace PageExt.AspNetCore;

/// <summary>The machine a <see cref="PageExtMemoryPoolFactory"/> boots for its pools.</summary>
public sealed class PageExtMemoryPoolOptions
{
    /// <summary>The kernel-style boot command line, for example <c>page_owner=on page_poison=1</c>.</summary>
    public string CommandLine { get; set; } = "";

    /// <summary>
    /// Memory of the machine, hence the most the pools can have rented at once. The default, 1 GiB,
    /// costs what is touched: the arena is reserved, and pages are backed as they are first used.
    /// </summary>
    public long MemoryBytes { get; set; } = 1L << 30;

    /// <summary>Per-CPU page caches of the machine; the default is the host's processor count.</summary>
    public int Cpus { get; set; } = Environment.ProcessorCount;

    internal MachineDescription ToDescription() => new()
    {
        CommandLine = CommandLine,
        MemoryBytes = MemoryBytes,
        Cpus = Cpus,
    };
}
