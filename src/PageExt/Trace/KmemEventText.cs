using System.Globalization;
using System.Text;

namespace PageExt.Trace;

/// <summary>
/// The text of each kmem page event after "EVENT: ", as TP_printk() prints it since v5.19
/// (include/trace/events/kmem.h), and the page= value: the one spelling of the event layout, which
/// both the trace writer (<see cref="FtraceText"/>) and the trace reader's layout in
/// PageExt.Analysis use, so the two cannot drift apart.
/// <code>
/// mm_page_alloc:             page=%p pfn=0x%lx order=%d migratetype=%d gfp_flags=%s
/// mm_page_free:              page=%p pfn=0x%lx order=%d
/// mm_page_free_batched:      page=%p pfn=0x%lx order=0
/// mm_page_alloc_zone_locked: page=%p pfn=0x%lx order=%u migratetype=%d percpu_refill=%d
/// mm_page_pcpu_drain:        page=%p pfn=0x%lx order=%d migratetype=%d
/// mm_page_alloc_extfrag:     page=%p pfn=0x%lx alloc_order=%d fallback_order=%d pageblock_order=%d alloc_migratetype=%d fallback_migratetype=%d fragmenting=%d change_ownership=%d
/// </code>
/// page= is the struct page address x86-64 prints with <c>nohash-ptr</c>: the vmemmap base plus
/// 64 bytes a page (pointer hashing would print nothing useful here).
/// </summary>
internal static class KmemEventText
{
    /// <summary>x86-64's vmemmap base without KASLR.</summary>
    public const ulong VmemmapBase = 0xffffea0000000000UL;

    /// <summary>sizeof(struct page) on 64-bit kernels.</summary>
    public const int StructPageBytes = 64;

    /// <summary>The text of ftrace's stack entry (option stacktrace), which follows its event.</summary>
    public const string StackTraceMarker = "<stack trace>";

    /// <summary>The page= value of <paramref name="pfn"/>: pfn_to_page() on x86-64.</summary>
    public static ulong PageAddress(ulong pfn) => VmemmapBase + (pfn * StructPageBytes);

    public static void AppendAlloc(StringBuilder text, ulong pfn, int order, int migratetype, string gfpNames) =>
        text.Append(CultureInfo.InvariantCulture, $"mm_page_alloc: page={PageAddress(pfn):x16} pfn=0x{pfn:x} order={order} migratetype={migratetype} gfp_flags={gfpNames}\n");

    public static void AppendFree(StringBuilder text, ulong pfn, int order) =>
        text.Append(CultureInfo.InvariantCulture, $"mm_page_free: page={PageAddress(pfn):x16} pfn=0x{pfn:x} order={order}\n");

    /// <summary>order=0 is literal in the format: the kernel prints it for a batched folio of any order.</summary>
    public static void AppendFreeBatched(StringBuilder text, ulong pfn) =>
        text.Append(CultureInfo.InvariantCulture, $"mm_page_free_batched: page={PageAddress(pfn):x16} pfn=0x{pfn:x} order=0\n");

    public static void AppendAllocZoneLocked(StringBuilder text, ulong pfn, int order, int migratetype, bool percpuRefill) =>
        text.Append(CultureInfo.InvariantCulture, $"mm_page_alloc_zone_locked: page={PageAddress(pfn):x16} pfn=0x{pfn:x} order={order} migratetype={migratetype} percpu_refill={(percpuRefill ? 1 : 0)}\n");

    public static void AppendPcpuDrain(StringBuilder text, ulong pfn, int order, int migratetype) =>
        text.Append(CultureInfo.InvariantCulture, $"mm_page_pcpu_drain: page={PageAddress(pfn):x16} pfn=0x{pfn:x} order={order} migratetype={migratetype}\n");

    /// <summary>fragmenting is derived as TP_printk derives it: fallback_order &lt; pageblock_order.</summary>
    public static void AppendExtfrag(StringBuilder text, ulong pfn, int allocOrder, int fallbackOrder, int pageblockOrder, int allocMigratetype, int fallbackMigratetype, bool changeOwnership) =>
        text.Append(CultureInfo.InvariantCulture, $"mm_page_alloc_extfrag: page={PageAddress(pfn):x16} pfn=0x{pfn:x} alloc_order={allocOrder} fallback_order={fallbackOrder} pageblock_order={pageblockOrder} alloc_migratetype={allocMigratetype} fallback_migratetype={fallbackMigratetype} fragmenting={(fallbackOrder < pageblockOrder ? 1 : 0)} change_ownership={(changeOwnership ? 1 : 0)}\n");
}
