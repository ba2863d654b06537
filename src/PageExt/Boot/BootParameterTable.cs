using System.Globalization;
using System.Text;
using PageExt.Buddy;
using PageExt.DebugPageAlloc;
using PageExt.Physical;
using PageExt.Stacks;

namespace PageExt.Boot;

/// <summary>
/// Every boot parameter PageExt understands, declared once, the way the kernel declares them with
/// <c>early_param()</c> next to their features. The parser (<see cref="BootCommandLine"/>), the
/// effective-settings print (<see cref="BootParameters.ToCommandLine"/>) and the README table
/// (<see cref="RenderMarkdownTable"/>) read this table and nothing else, so adding a row is the
/// whole job of adding a parameter.
/// </summary>
public static class BootParameterTable
{
    /// <summary>DEPOT_MAX_POOLS: 8192 pools of 16 KiB, 128 MiB of stacks.</summary>
    public const int DefaultStackDepotMaxPools = 8192;

    /// <summary>TRACE_BUF_SIZE_DEFAULT: the kernel's ring buffer size per CPU.</summary>
    public const int DefaultTraceBufSize = 1441792;

    /// <summary>The largest trace_buf_size= PageExt takes: 1 GiB per CPU (per thread) of records.</summary>
    public const ulong MaxTraceBufSize = 1UL << 30;

    private static readonly string[] s_stackModeWords = ["fp", "managed", "caller", "off"];

    /// <summary>The parameters, in the order they are documented and printed.</summary>
    public static IReadOnlyList<BootParameterDefinition> All { get; } =
    [
        new("page_owner", BootParameterKind.Bool, BootParameterOrigin.Kernel, "off",
            "Record the allocating (and last freeing) stack, gfp mask, task and time of every page. Storing it costs " +
            "memory, so it is off by default. From 3.19 to 5.x only the exact string `on` enabled it; kstrtobool since.",
            (p, v) => p with { PageOwner = v != 0 }, p => OnOff(p.PageOwner)),

        new("debug_pagealloc", BootParameterKind.Bool, BootParameterOrigin.Kernel, "off",
            "Unmap freed pages so a stray access faults, keep guard pages when `debug_guardpage_minorder` > 0, and " +
            "poison where unmapping is unavailable. Off by default; enabling page_owner too is useful. 3.19-4.5 " +
            "accepted only `on`.",
            (p, v) => p with { DebugPagealloc = v != 0 }, p => OnOff(p.DebugPagealloc)),

        new("debug_guardpage_minorder", BootParameterKind.UInt, BootParameterOrigin.Kernel, "0",
            "Split-off buddies of an order below N become guard pages, kept free and protected. Bigger values catch " +
            "more corruption but waste memory; 1 or 2 is usually enough. Takes effect only with debug_pagealloc on. " +
            $"At most MAX_ORDER/2 (MAX_PAGE_ORDER {PageOrder.Max} / 2 = {DebugPageAllocSettings.MaxGuardPageMinOrder}).",
            (p, v) => p with { DebugGuardpageMinorder = (int)v }, p => Number(p.DebugGuardpageMinorder),
            min: 0, max: DebugPageAllocSettings.MaxGuardPageMinOrder,
            onSet: v => "Setting debug_guardpage_minorder to " + v.ToString(CultureInfo.InvariantCulture)),

        new("page_poison", BootParameterKind.Bool, BootParameterOrigin.Kernel, "off",
            $"Fill freed pages with 0x{PagePoison.PoisonByte:x2} and check the pattern when they are allocated again; a mismatch is reported " +
            "as `pagealloc: memory corruption` with a hex dump.",
            (p, v) => p with { PagePoison = v != 0 }, p => OnOff(p.PagePoison)),

        new("disable_debug_pagealloc", BootParameterKind.Flag, BootParameterOrigin.Seed2014, "absent",
            "Turns debug_pagealloc off; any value is ignored. History: in v2 of the November 2014 page_ext series " +
            "debug_pagealloc was on whenever compiled in, and this flag opted out. Andrew Morton asked for off by " +
            "default with an opt-in, so v3 replaced it with `debug_pagealloc=on` (merged in 3.19). Kept so seed-era " +
            "command lines still parse; on the command line it acts in order, like any other parameter.",
            (p, _) => p with { DebugPagealloc = false }, _ => null),

        new("stack_depot_disable", BootParameterKind.Bool, BootParameterOrigin.Kernel, "off",
            "Disable the stack depot: no stacks are stored, and page_owner records its failure handle instead. As in " +
            "the kernel that handle is then 0, so the page_owner dump skips those pages and page_owner_stacks is empty.",
            (p, v) => p with { StackDepotDisable = v != 0 }, p => OnOff(p.StackDepotDisable)),

        new("stack_depot_max_pools", BootParameterKind.UInt, BootParameterOrigin.Kernel, DefaultStackDepotMaxPools.ToString(CultureInfo.InvariantCulture),
            "Maximum number of 16 KiB stack depot pools (2025 addition). When they are full, saving a new stack " +
            "fails and the saver falls back to its failure handle. Capped by what a 32-bit handle can address.",
            (p, v) => p with { StackDepotMaxPools = (int)v }, p => Number(p.StackDepotMaxPools),
            min: 1, max: StackHandle.MaxPoolCount),

        new("page_owner_stack", BootParameterKind.Word, BootParameterOrigin.Project, "fp",
            "PageExt addition (a 2021 proposal for the kernel, `page_owner_stack=off`, was never merged). How " +
            "page_owner captures stacks: `fp` walks frame pointers (Linux x64; about 0.15 us, falls back to " +
            "`managed` where unavailable), `managed` uses System.Diagnostics.StackTrace (portable, about 10 us), " +
            "`caller` keeps one caller-info frame, `off` stores no stack.",
            (p, v) => p with { PageOwnerStack = (StackCaptureMode)v }, p => s_stackModeWords[(int)p.PageOwnerStack],
            words: s_stackModeWords),

        new("debug_pagealloc_max_ranges", BootParameterKind.UInt, BootParameterOrigin.Project, DebugPageAllocSettings.DefaultMaxProtectedRanges.ToString(CultureInfo.InvariantCulture),
            "PageExt addition. Cap on page ranges debug_pagealloc keeps protected at once: every isolated protected " +
            "range costs the process two memory mappings, and Linux aborts it at vm.max_map_count (65530). " +
            "Beyond it the oldest range is made accessible again and poisoned instead; 0 protects nothing.",
            (p, v) => p with { DebugPageallocMaxRanges = (int)v }, p => Number(p.DebugPageallocMaxRanges),
            min: 0, max: DebugPageAllocSettings.MaxProtectedRangesLimit),

        new("trace_event", BootParameterKind.List, BootParameterOrigin.Kernel, "",
            "Enable kmem page trace events from boot, in the set_event file's syntax: `kmem:mm_page_alloc,kmem:mm_page_free`, " +
            "`kmem:*` or `kmem` for all six. PageExt's allocator fires each where mm/page_alloc.c does: mm_page_alloc and " +
            "mm_page_free for every allocation and free, mm_page_alloc_zone_locked for every block __rmqueue_smallest() takes off the buddy lists, " +
            "mm_page_pcpu_drain for every block a per-CPU list gives back, mm_page_alloc_extfrag for every fallback to another " +
            "migrate type, mm_page_free_batched for every block of a batch free (`release` in a workload). The events " +
            "go to a per-thread ring buffer that `pageext run --trace FILE` writes in ftrace's text format.",
            (p, v) => p with { TraceEvents = (KmemTraceEvents)v }, p => p.TraceEvents == KmemTraceEvents.None ? null : TraceEventList.Format(p.TraceEvents),
            parseList: ParseTraceEvents, listAllowedText: TraceEventList.AllowedText),

        new("trace_options", BootParameterKind.List, BootParameterOrigin.Kernel, "",
            "Trace options, as written to trace_options; `no` before a name clears it. PageExt has two: `stacktrace`, " +
            "after which every event is followed by a `<stack trace>` entry whose ` => ` frames are page_owner's " +
            "canonical stack (with +0xoffset/0xsize, as the kernel's sym-offset option prints them), and `record-tgid`, " +
            "which adds the `(tgid)` column.",
            (p, v) => p with { TraceOptions = (TraceOptions)v }, p => TraceOptionList.Format(p.TraceOptions),
            parseList: ParseTraceOptions, listAllowedText: TraceOptionList.AllowedText),

        new("trace_buf_size", BootParameterKind.Size, BootParameterOrigin.Kernel, KernelStrings.FormatSize(DefaultTraceBufSize),
            "Trace ring buffer size per CPU (in PageExt, per thread), 32 bytes per event. When it is full the oldest " +
            "events are overwritten, as in the kernel, and the trace's header says how many were lost.",
            (p, v) => p with { TraceBufSize = v }, p => p.TraceBufSize == DefaultTraceBufSize ? null : Size(p.TraceBufSize),
            min: 4096, max: MaxTraceBufSize),

        new("movablecore", BootParameterKind.Size, BootParameterOrigin.Kernel, "0",
            "Memory for ZONE_MOVABLE, which holds only movable allocations. The kernel's `nn%` form is not accepted.",
            (p, v) => p with { MovableCoreBytes = v }, p => Size(p.MovableCoreBytes)),

        new("cma", BootParameterKind.Size, BootParameterOrigin.Kernel, "0",
            "Size of the default contiguous memory allocator area. The kernel's `@start-end` placement form is not " +
            "accepted.",
            (p, v) => p with { CmaBytes = v }, p => Size(p.CmaBytes)),

        new("mem", BootParameterKind.Size, BootParameterOrigin.Kernel, "0",
            "Use at most this much memory; 0 (absent) means all of it. At least one 4 KiB page.",
            (p, v) => p with { MemBytes = v }, p => Size(p.MemBytes),
            min: PageSize.Bytes),
    ];

    /// <summary>Finds a parameter by name; '-' and '_' are equivalent (parameq()).</summary>
    public static bool TryFind(ReadOnlySpan<char> name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out BootParameterDefinition? definition)
    {
        foreach (var candidate in All)
        {
            if (NamesEqual(candidate.Name, name))
            {
                definition = candidate;
                return true;
            }
        }

        definition = null;
        return false;
    }

    /// <summary>
    /// The README's Markdown table of parameters: one row per definition, in table order, with
    /// columns Parameter, Values, Default, Origin, Description. Pipes inside cells are escaped.
    /// Lines end with '\n'.
    /// </summary>
    public static string RenderMarkdownTable()
    {
        var sb = new StringBuilder();
        sb.Append("| Parameter | Values | Default | Origin | Description |\n");
        sb.Append("|---|---|---|---|---|\n");
        foreach (var d in All)
        {
            string name = d.Kind == BootParameterKind.Flag ? d.Name : d.Name + "=";
            sb.Append("| `").Append(name).Append("` | ")
                .Append(Escape(d.AllowedText)).Append(" | ")
                .Append(Escape(d.DefaultText)).Append(" | ")
                .Append(OriginText(d.Origin)).Append(" | ")
                .Append(Escape(d.Description)).Append(" |\n");
        }

        return sb.ToString();
    }

    private static string? ParseTraceEvents(string value, out ulong parsed)
    {
        string? bad = TraceEventList.TryParse(value, out var events);
        parsed = (ulong)events;
        return bad;
    }

    private static string? ParseTraceOptions(string value, out ulong parsed)
    {
        string? bad = TraceOptionList.TryParse(value, out var options);
        parsed = (ulong)options;
        return bad;
    }

    internal static bool NamesEqual(string canonical, ReadOnlySpan<char> name)
    {
        if (canonical.Length != name.Length)
        {
            return false;
        }

        for (int i = 0; i < name.Length; i++)
        {
            char c = name[i] == '-' ? '_' : name[i];
            if (c != canonical[i])
            {
                return false;
            }
        }

        return true;
    }

    private static string OriginText(BootParameterOrigin origin) => origin switch
    {
        BootParameterOrigin.Kernel => "kernel",
        BootParameterOrigin.Seed2014 => "2014 seed (never merged)",
        _ => "PageExt",
    };

    private static string Escape(string text) => text.Replace("|", "\\|", StringComparison.Ordinal);

    private static string OnOff(bool value) => value ? "on" : "off";

    private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string? Size(ulong bytes) => bytes == 0 ? null : KernelStrings.FormatSize(bytes);
}
