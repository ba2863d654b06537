namespace PageExt.Analysis.Inputs;

/// <summary>The kernel texts PageExt reads, told apart by their content (<see cref="InputDetector"/>).</summary>
internal enum InputKind
{
    /// <summary>Anything else: read as a page_owner dump, whose reader names what it cannot use.</summary>
    Unknown,

    /// <summary>/sys/kernel/debug/page_owner in any generation: records starting "Page allocated via order".</summary>
    PageOwnerDump,

    /// <summary>A kernel log: dmesg, journalctl or syslog lines, with or without page_owner reports.</summary>
    KernelLog,

    /// <summary>/sys/kernel/debug/page_owner_stacks/show_stacks, show_handles or show_stacks_handles (v6.9+), or several concatenated.</summary>
    PageOwnerStacks,

    /// <summary>page_owner_sort's output: "N times[, M pages[, allocated by X]]:" groups.</summary>
    SortOutput,

    /// <summary>/proc/pagetypeinfo.</summary>
    PageTypeInfo,

    /// <summary>/proc/buddyinfo.</summary>
    BuddyInfo,

    /// <summary>/proc/zoneinfo.</summary>
    ZoneInfo,

    /// <summary>quic/crash-plugins' `pageowner` output (a vendor format): per-page ALLOC/FREE records and per-stack totals from a vmcore.</summary>
    CrashPageOwner,
}
