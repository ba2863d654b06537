using System.Runtime.InteropServices;

namespace PageExt.Trace;

/// <summary>
/// One event in a per-CPU ring buffer, in binary, as the kernel's ring buffer keeps its entries
/// (TP_STRUCT__entry): the text is made only when the trace is read. The task and CPU are the
/// buffer's, so they are not repeated here. 32 bytes; each event uses the fields its TP_STRUCT__entry has.
/// </summary>
[StructLayout(LayoutKind.Sequential, Size = Bytes)]
internal struct TraceRecord
{
    /// <summary>The size <c>trace_buf_size=</c> is divided by.</summary>
    public const int Bytes = 32;

    /// <summary>The machine's clock (page_owner's local_clock()), ns since boot.</summary>
    public ulong TimestampNs;

    public ulong Pfn;

    /// <summary>mm_page_alloc's gfp mask; 0 for the other events.</summary>
    public uint Gfp;

    /// <summary>The stack's depot handle when stacktrace is on; 0 (invalid) for none.</summary>
    public uint StackHandle;

    public TraceEventKind Kind;

    /// <summary>order, or extfrag's alloc_order.</summary>
    public byte Order;

    /// <summary>migratetype (zone_locked, pcpu_drain), or extfrag's alloc_migratetype.</summary>
    public byte Migratetype;

    /// <summary>extfrag's fallback_order.</summary>
    public byte FallbackOrder;

    /// <summary>extfrag's fallback_migratetype.</summary>
    public byte FallbackMigratetype;

    /// <summary>zone_locked's percpu_refill, or extfrag's change_ownership.</summary>
    public bool Flag;
}

/// <summary>The events a record can hold: every one <see cref="KmemTraceEvents"/> names.</summary>
internal enum TraceEventKind : byte
{
    PageAlloc,
    PageFree,
    PageAllocZoneLocked,
    PagePcpuDrain,
    PageAllocExtfrag,
    PageFreeBatched,
}
