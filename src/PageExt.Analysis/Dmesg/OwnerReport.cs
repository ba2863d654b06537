namespace PageExt.Analysis.Dmesg;

/// <summary>
/// One report in a kernel log about one page (Bad page state, KASAN, `pagealloc: memory corruption`,
/// or any other dump_page() caller) with what __dump_page_owner() printed about it, in any 4.x-7.x
/// spelling (kmem-trace-and-reports.md §5.1). <see cref="Alloc"/> is null when page_owner printed
/// nothing usable: it was off, the page was never tracked, or the log lost the lines.
/// </summary>
internal sealed class OwnerReport
{
    /// <summary>The 1-based line the report starts on: its "BUG:" header, or its first dump_page or page_owner line.</summary>
    public required long Line { get; init; }

    /// <summary>"Bad page state", "KASAN", "pagealloc: memory corruption", "pagealloc: single bit error" or "dump_page".</summary>
    public required string Kind { get; init; }

    /// <summary>The header's text, e.g. "BUG: KASAN: use-after-free in foo+0x1/0x2".</summary>
    public required string Title { get; init; }

    /// <summary>The CONFIG_PRINTK_CALLER id that printed the report ("T8573", "C1"), or "" without caller ids.</summary>
    public required string Caller { get; init; }

    /// <summary>dump_page's "page dumped because:" reason.</summary>
    public string? Reason { get; set; }

    /// <summary>From dump_page's "pfn:0x..." or Bad page state's "pfn:%05lx".</summary>
    public ulong? Pfn { get; set; }

    /// <summary>dump_page's "flags: 0x...(...)" text.</summary>
    public string? Flags { get; set; }

    /// <summary>"allocated" or "freed", from "page_owner tracks the page as ..." (v5.4+).</summary>
    public string? Tracks { get; set; }

    /// <summary>page_owner's line saying it has nothing ("page_owner info is not present (never set?)", ...).</summary>
    public string? OwnerMissing { get; set; }

    public OwnerAlloc? Alloc { get; set; }

    public List<string> AllocStack { get; } = [];

    /// <summary>True when the log printed "page last free ... stack trace:".</summary>
    public bool FreeStackGiven { get; set; }

    public long? FreePid { get; set; }

    public long? FreeTgid { get; set; }

    public long? FreeTs { get; set; }

    public List<string> FreeStack { get; } = [];

    /// <summary>The lines page_owner prints when a stack was not saved ("page_owner free stack trace missing").</summary>
    public List<string> Missing { get; } = [];

    public string? MigrateReason { get; set; }
}

/// <summary>
/// The "page (last )?allocated via order N, migratetype M, gfp_mask 0x..(..)" line and its optional
/// pid, tgid (comm), ts and free_ts. Integers are signed 64-bit: real reports print a negative tgid
/// (kmem-trace-and-reports.md §7.11).
/// </summary>
internal sealed record OwnerAlloc(long Line, int Order, string MigrateType, string GfpMask, long? Pid, long? Tgid, string? Comm, long? Ts, long? FreeTs);
