using System.Globalization;
using System.Text;
using PageExt.Trace;

namespace PageExt.Analysis.Trace;

/// <summary>
/// The one place the reader knows how kmem page events are spelled: their names in every kernel
/// generation, their field names, the modern TP_printk formats, and the ftrace line around them.
/// The reader (<see cref="TraceLineParser"/>) looks names up here, and a writer of events (a test,
/// the benchmark's generator) formats with the Append methods, whose event texts are the ones
/// PageExt's own allocator writes (<see cref="PageExt.Trace.KmemEventText"/>), so reader and
/// writer cannot drift apart.
/// </summary>
/// <remarks>
/// <para>The ftrace line (kernel/trace/trace_output.c, trace_print_context()):
/// <c>"%16s-%-7d "</c> comm and pid (<c>%-5d</c> before v5.10), an optional <c>"(%7d) "</c> tgid
/// column (option record-tgid, v4.13+), <c>"[%03d] "</c> CPU, the irq-info flags (4 characters
/// v3.3-v5.14, 5 from v5.15, none before v3.3), <c>" %5lu.%06lu: "</c> the time in seconds, then
/// <c>"EVENT: "</c> and the event's text. A stack (option stacktrace) is a separate entry on the same
/// CPU whose text is <c>&lt;stack trace&gt;</c>, followed by <c>" => frame"</c> lines.</para>
/// <para>The event texts since v5.19 (older generations differ as noted on each constant): pfn in
/// 0x hex since v5.14 (decimal before), page= a hashed pointer since v4.15 (a raw struct page
/// pointer before; <c>(null)</c> or zeros for none), and fields parsed as key=value pairs, because
/// vendor kernels add their own (Android 4.14's <c>nr_free=</c>).</para>
/// </remarks>
internal static class KmemEventLayout
{
    /// <summary>mm_page_alloc since 2.6.32 (pfn=%lu until v5.14).</summary>
    public const string AllocFormat = "page=%p pfn=0x%lx order=%d migratetype=%d gfp_flags=%s";

    /// <summary>mm_page_free since v3.3 (mm_page_free_direct before, same fields).</summary>
    public const string FreeFormat = "page=%p pfn=0x%lx order=%d";

    /// <summary>mm_page_free_batched since v4.15 (mm_pagevec_free before v3.3; both with " cold=%d" until v4.15).</summary>
    public const string FreeBatchedFormat = "page=%p pfn=0x%lx order=0";

    /// <summary>mm_page_alloc_zone_locked (percpu_refill computed as order == 0 until v5.19, recorded since).</summary>
    public const string AllocZoneLockedFormat = "page=%p pfn=0x%lx order=%u migratetype=%d percpu_refill=%d";

    /// <summary>mm_page_pcpu_drain, and the mm tree's mm_page_pcpu_refill (2026).</summary>
    public const string PcpuDrainFormat = "page=%p pfn=0x%lx order=%d migratetype=%d";

    /// <summary>mm_page_alloc_extfrag. change_ownership meant alloc == fallback migratetype until ≈v4.0, the block's new type == alloc's since.</summary>
    public const string ExtfragFormat = "page=%p pfn=0x%lx alloc_order=%d fallback_order=%d pageblock_order=%d alloc_migratetype=%d fallback_migratetype=%d fragmenting=%d change_ownership=%d";

    /// <summary>The text of ftrace's stack entry; trace-cmd prints it as the body of a kernel_stack event.</summary>
    public const string StackTraceMarker = KmemEventText.StackTraceMarker;

    /// <summary>The text of ftrace's user-space stack entry (option userstacktrace); page_owner keeps no user frames.</summary>
    public const string UserStackTraceMarker = "<user stack trace>";

    /// <summary>x86-64's vmemmap base without KASLR: what page= shows with nohash-ptr, 64 bytes per struct page.</summary>
    public const ulong VmemmapBase = KmemEventText.VmemmapBase;

    /// <summary>sizeof(struct page) on 64-bit kernels.</summary>
    public const int StructPageBytes = KmemEventText.StructPageBytes;

    private static readonly (string Name, KmemEventKind Kind)[] s_names =
    [
        ("mm_page_alloc", KmemEventKind.Alloc),
        ("mm_page_free", KmemEventKind.Free),
        ("mm_page_free_batched", KmemEventKind.FreeBatched),
        ("mm_page_alloc_zone_locked", KmemEventKind.AllocZoneLocked),
        ("mm_page_pcpu_drain", KmemEventKind.PcpuDrain),
        ("mm_page_alloc_extfrag", KmemEventKind.Extfrag),
        ("mm_page_pcpu_refill", KmemEventKind.PcpuRefill),

        // 2.6.32-3.2 names (renamed by "mm-tracepoint: rename page-free events", v3.3).
        ("mm_page_free_direct", KmemEventKind.Free),
        ("mm_pagevec_free", KmemEventKind.FreeBatched),
    ];

    /// <summary>Event names the kernel has used, with what each means (the first of a kind is today's name).</summary>
    public static IReadOnlyList<(string Name, KmemEventKind Kind)> Names => s_names;

    /// <summary>The kind of an event name, with or without perf's "kmem:" system prefix.</summary>
    public static KmemEventKind Lookup(ReadOnlySpan<byte> name)
    {
        int colon = name.LastIndexOf((byte)':');
        if (colon >= 0)
        {
            name = name[(colon + 1)..];
        }

        // Every kmem page event starts so; one compare passes over the common other events cheaply.
        if (!name.StartsWith("mm_page"u8))
        {
            return KmemEventKind.Other;
        }

        return name switch
        {
            _ when name.SequenceEqual("mm_page_alloc"u8) => KmemEventKind.Alloc,
            _ when name.SequenceEqual("mm_page_free"u8) => KmemEventKind.Free,
            _ when name.SequenceEqual("mm_page_free_batched"u8) => KmemEventKind.FreeBatched,
            _ when name.SequenceEqual("mm_page_alloc_zone_locked"u8) => KmemEventKind.AllocZoneLocked,
            _ when name.SequenceEqual("mm_page_pcpu_drain"u8) => KmemEventKind.PcpuDrain,
            _ when name.SequenceEqual("mm_page_alloc_extfrag"u8) => KmemEventKind.Extfrag,
            _ when name.SequenceEqual("mm_page_pcpu_refill"u8) => KmemEventKind.PcpuRefill,
            _ when name.SequenceEqual("mm_page_free_direct"u8) => KmemEventKind.Free,
            _ when name.SequenceEqual("mm_pagevec_free"u8) => KmemEventKind.FreeBatched,
            _ => KmemEventKind.Other,
        };
    }

    /// <summary>Today's name of an event kind.</summary>
    public static string Name(KmemEventKind kind) => s_names.First(n => n.Kind == kind).Name;

    /// <summary>The page= value a kernel without pointer hashing prints for <paramref name="pfn"/> on x86-64.</summary>
    public static ulong PageAddress(ulong pfn) => KmemEventText.PageAddress(pfn);

    /// <summary>The header of /sys/kernel/tracing/trace with the nop tracer and irq-info (v5.15+ legend).</summary>
    public static void AppendHeader(StringBuilder text, long entriesInBuffer, long entriesWritten, int cpus)
    {
        text.Append("# tracer: nop\n#\n")
            .Append(CultureInfo.InvariantCulture, $"# entries-in-buffer/entries-written: {entriesInBuffer}/{entriesWritten}   #P:{cpus}\n")
            .Append("#\n")
            .Append("#                                _-----=> irqs-off/BH-disabled\n")
            .Append("#                               / _----=> need-resched\n")
            .Append("#                              | / _---=> hardirq/softirq\n")
            .Append("#                              || / _--=> preempt-depth\n")
            .Append("#                              ||| / _-=> migrate-disable\n")
            .Append("#                              |||| /     delay\n")
            .Append("#           TASK-PID     CPU#  |||||  TIMESTAMP  FUNCTION\n")
            .Append("#              | |         |   |||||     |         |\n");
    }

    /// <summary>trace_print_context() of v5.15+: comm, pid, CPU, 5 flag characters, seconds.microseconds.</summary>
    public static void AppendContext(StringBuilder text, string comm, int pid, int cpu, string flags, long timestampNs)
    {
        if (comm.Length > 15)
        {
            comm = comm[..15];
        }

        text.Append(' ', Math.Max(0, 16 - comm.Length)).Append(comm).Append('-');
        string pidText = pid.ToString(CultureInfo.InvariantCulture);
        text.Append(pidText).Append(' ', Math.Max(0, 7 - pidText.Length)).Append(' ');
        text.Append(CultureInfo.InvariantCulture, $"[{cpu:000}] ").Append(flags).Append(' ');
        long seconds = timestampNs / 1_000_000_000;
        long micros = timestampNs % 1_000_000_000 / 1_000;
        text.Append(CultureInfo.InvariantCulture, $"{seconds,5}.{micros:000000}: ");
    }

    /// <summary>"mm_page_alloc: page=... pfn=0x... order=N migratetype=N gfp_flags=NAMES" and a newline.</summary>
    public static void AppendAlloc(StringBuilder text, ulong pfn, int order, int migratetype, string gfpNames) =>
        KmemEventText.AppendAlloc(text, pfn, order, migratetype, gfpNames);

    /// <summary>"mm_page_free: page=... pfn=0x... order=N" and a newline.</summary>
    public static void AppendFree(StringBuilder text, ulong pfn, int order) =>
        KmemEventText.AppendFree(text, pfn, order);

    /// <summary>"mm_page_free_batched: page=... pfn=0x... order=0" and a newline.</summary>
    public static void AppendFreeBatched(StringBuilder text, ulong pfn) =>
        KmemEventText.AppendFreeBatched(text, pfn);

    /// <summary>"mm_page_alloc_zone_locked: ... percpu_refill=0|1" and a newline.</summary>
    public static void AppendAllocZoneLocked(StringBuilder text, ulong pfn, int order, int migratetype, bool percpuRefill) =>
        KmemEventText.AppendAllocZoneLocked(text, pfn, order, migratetype, percpuRefill);

    /// <summary>"mm_page_pcpu_drain: ..." and a newline.</summary>
    public static void AppendPcpuDrain(StringBuilder text, ulong pfn, int order, int migratetype) =>
        KmemEventText.AppendPcpuDrain(text, pfn, order, migratetype);

    /// <summary>"mm_page_alloc_extfrag: ..." and a newline; fragmenting is derived as the kernel derives it.</summary>
    public static void AppendExtfrag(StringBuilder text, ulong pfn, int allocOrder, int fallbackOrder, int pageblockOrder, int allocMigratetype, int fallbackMigratetype, bool changeOwnership) =>
        KmemEventText.AppendExtfrag(text, pfn, allocOrder, fallbackOrder, pageblockOrder, allocMigratetype, fallbackMigratetype, changeOwnership);

    /// <summary>"&lt;stack trace&gt;" (after <see cref="AppendContext"/>) and one " => frame" line per frame.</summary>
    public static void AppendStack(StringBuilder text, IEnumerable<string> frames)
    {
        text.Append(StackTraceMarker).Append('\n');
        foreach (var frame in frames)
        {
            text.Append(" => ").Append(frame).Append('\n');
        }
    }
}
