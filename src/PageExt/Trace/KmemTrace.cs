using System.Runtime.CompilerServices;
using PageExt.Boot;
using PageExt.Buddy;
using PageExt.Physical;
using PageExt.Stacks;
using PageExt.Tasks;
using PageExt.Zones;

namespace PageExt.Trace;

/// <summary>
/// The kmem page trace events (include/trace/events/kmem.h) of PageExt's own allocator, each where
/// mm/page_alloc.c fires it: mm_page_alloc at the end of __alloc_pages() (after post_alloc_hook),
/// mm_page_free in free_pages_prepare() (before page_owner's reset), mm_page_free_batched in
/// free_unref_folios() (<see cref="PageAllocator.ReleasePages"/>), mm_page_alloc_zone_locked in
/// __rmqueue_smallest(), mm_page_pcpu_drain in free_pcppages_bulk() and mm_page_alloc_extfrag when
/// an allocation falls back to another migrate type; switched on from boot with
/// <c>trace_event=</c>, with a stack entry after each event under <c>trace_options=stacktrace</c>.
/// <para>
/// Design: the kernel's ring buffer, per CPU. Each thread that allocates or frees gets its own
/// <see cref="TraceBuffer"/> (a thread is PageExt's CPU), reached through a thread static, so an
/// event is a clock read, at most a stack save, and a 32-byte store: no lock, no atomic, no
/// allocation once the buffer has grown. Text is made only when the trace is read
/// (<see cref="FtraceText"/>), which merges the per-CPU buffers by timestamp as reading
/// /sys/kernel/tracing/trace does.
/// </para>
/// <para>
/// Zero cost when off: with no event enabled the client's hook table slot is off, so the allocator
/// never calls it, and with every client off there is no hook table at all (see
/// <see cref="AllocatorHookTable"/>).
/// </para>
/// <para>
/// Concurrency model: a buffer is written only by its thread; the list of buffers changes under a
/// lock, on a thread's first event. Reading while other threads still trace is memory-safe but may
/// show their newest events half written, as reading a live ring buffer without pausing it can:
/// read after the workload, as `pageext run --trace` does.
/// </para>
/// </summary>
public sealed class KmemTrace : IAllocHook, IFreeHook, IZoneLockedAllocHook, IPcpuDrainHook, IExtfragHook, IFreeBatchedHook
{
    private static long s_nextId;

    [ThreadStatic]
    private static TraceBuffer? t_last;

    [ThreadStatic]
    private static List<WeakReference<TraceBuffer>>? t_buffers;

    private readonly long _id = Interlocked.Increment(ref s_nextId);
    private readonly PageOwner.PageOwner _clock;
    private readonly BootParameters _parameters;
    private readonly bool _traceAlloc;
    private readonly bool _traceFree;
    private readonly bool _traceZoneLocked;
    private readonly bool _tracePcpuDrain;
    private readonly bool _traceExtfrag;
    private readonly bool _traceFreeBatched;
    private readonly int _capacity;
    private readonly List<TraceBuffer> _buffers = [];
    private readonly Lock _buffersLock = new();
    private StackDepot? _depot;
    private StackCaptureMode _stackMode = StackCaptureMode.Off;

    /// <summary>A trace on page_owner's clock and, when page_owner is on, its stack depot.</summary>
    internal KmemTrace(PageOwner.PageOwner clock, BootParameters parameters)
    {
        _clock = clock;
        _parameters = parameters;
        Events = parameters.TraceEvents;
        Stacktrace = (parameters.TraceOptions & TraceOptions.StackTrace) != 0;
        RecordTgid = (parameters.TraceOptions & TraceOptions.RecordTgid) != 0;
        _traceAlloc = (Events & KmemTraceEvents.PageAlloc) != 0;
        _traceFree = (Events & KmemTraceEvents.PageFree) != 0;
        _traceZoneLocked = (Events & KmemTraceEvents.PageAllocZoneLocked) != 0;
        _tracePcpuDrain = (Events & KmemTraceEvents.PagePcpuDrain) != 0;
        _traceExtfrag = (Events & KmemTraceEvents.PageAllocExtfrag) != 0;
        _traceFreeBatched = (Events & KmemTraceEvents.PageFreeBatched) != 0;
        _capacity = (int)Math.Max(1, parameters.TraceBufSize / TraceRecord.Bytes);
    }

    public string Name => "trace_event";

    /// <summary>The events trace_event= asked for.</summary>
    public KmemTraceEvents Events { get; }

    /// <summary>trace_options=stacktrace.</summary>
    public bool Stacktrace { get; }

    /// <summary>trace_options=record-tgid: the tgid column.</summary>
    public bool RecordTgid { get; }

    /// <summary>True when an emitted event is on: the hook table slot's switch.</summary>
    public bool IsEnabled => Events != KmemTraceEvents.None;

    /// <summary>Events each CPU's (thread's) ring holds: trace_buf_size / 32 bytes.</summary>
    public int BufferEvents => _capacity;

    /// <summary>The per-CPU buffers, in CPU order.</summary>
    internal IReadOnlyList<TraceBuffer> Buffers
    {
        get
        {
            lock (_buffersLock)
            {
                return [.. _buffers];
            }
        }
    }

    /// <summary>The depot stacks are saved in; null until the first stack or when stacktrace is off.</summary>
    internal StackDepot? Depot => _depot;

    internal PageAllocator Allocator => _clock.Allocator;

    /// <summary>Writes the trace as /sys/kernel/tracing/trace shows it (see <see cref="FtraceText"/>); returns the entries written.</summary>
    /// <exception cref="ObjectDisposedException">The machine is disposed.</exception>
    public long Write(TextWriter output)
    {
        using var operation = Allocator.EnterOperation();
        ArgumentNullException.ThrowIfNull(output);
        return FtraceText.Write(output, this);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    void IAllocHook.OnAlloc(Pfn pfn, int order, GfpFlags gfp)
    {
        if (_traceAlloc)
        {
            Record(TraceEventKind.PageAlloc, pfn.Value, order, PageOwner.PageOwner.AllocOrigin).Gfp = (uint)gfp;
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    void IFreeHook.OnFree(Pfn pfn, int order)
    {
        if (_traceFree)
        {
            Record(TraceEventKind.PageFree, pfn.Value, order, PageOwner.PageOwner.FreeOrigin);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    void IFreeBatchedHook.OnFreeBatched(Pfn pfn)
    {
        if (_traceFreeBatched)
        {
            Record(TraceEventKind.PageFreeBatched, pfn.Value, 0, PageOwner.PageOwner.BatchFreeOrigin);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    void IZoneLockedAllocHook.OnAllocZoneLocked(Pfn pfn, int order, MigrateType type, bool percpuRefill)
    {
        if (_traceZoneLocked)
        {
            ref var record = ref Record(TraceEventKind.PageAllocZoneLocked, pfn.Value, order, PageOwner.PageOwner.AllocOrigin);
            record.Migratetype = (byte)type;
            record.Flag = percpuRefill;
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    void IPcpuDrainHook.OnPcpuDrain(Pfn pfn, int order, MigrateType type)
    {
        if (_tracePcpuDrain)
        {
            Record(TraceEventKind.PagePcpuDrain, pfn.Value, order, PageOwner.PageOwner.DrainOrigin).Migratetype = (byte)type;
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    void IExtfragHook.OnExtfrag(Pfn pfn, int allocOrder, int fallbackOrder, MigrateType allocType, MigrateType fallbackType, bool changeOwnership)
    {
        if (_traceExtfrag)
        {
            ref var record = ref Record(TraceEventKind.PageAllocExtfrag, pfn.Value, allocOrder, PageOwner.PageOwner.AllocOrigin);
            record.Migratetype = (byte)allocType;
            record.FallbackOrder = (byte)fallbackOrder;
            record.FallbackMigratetype = (byte)fallbackType;
            record.Flag = changeOwnership;
        }
    }

    /// <summary>Adds an event with its common fields; the caller fills in the fields of its kind.</summary>
    private ref TraceRecord Record(TraceEventKind kind, ulong pfn, int order, StackOrigin origin)
    {
        var buffer = t_last;
        if (buffer is null || buffer.OwnerId != _id)
        {
            buffer = Attach();
        }

        ulong ts = _clock.Now();
        uint stack = 0;
        if (Stacktrace && _stackMode != StackCaptureMode.Off)
        {
            stack = StackSaver.Save(_depot!, origin, _stackMode).Value;
        }

        ref var record = ref buffer.Add(stack != 0);
        record = default;
        record.TimestampNs = ts;
        record.Pfn = pfn;
        record.StackHandle = stack;
        record.Kind = kind;
        record.Order = (byte)order;
        return ref record;
    }

    /// <summary>This thread's buffer for this trace: found among the thread's buffers, or made and registered (a thread's first event).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private TraceBuffer Attach()
    {
        var mine = t_buffers ??= [];
        TraceBuffer? buffer = null;
        mine.RemoveAll(w => !w.TryGetTarget(out _));
        foreach (var weak in mine)
        {
            if (weak.TryGetTarget(out var candidate) && candidate.OwnerId == _id)
            {
                buffer = candidate;
                break;
            }
        }

        if (buffer is null)
        {
            lock (_buffersLock)
            {
                if (Stacktrace && _depot is null)
                {
                    // page_owner's depot when it is on, so both print one stack per path; else our own.
                    _depot = _clock.Depot ?? PageExt.PageOwner.PageOwner.DepotFor(_parameters);
                    _stackMode = _clock.Depot is not null ? _clock.StackMode : StackSaver.Resolve(_parameters.PageOwnerStack);
                }

                // The comm page_owner stores (printable ASCII, '?' for the rest), so a thread name
                // with a newline cannot break a trace line, and the trace names tasks as the dump does.
                buffer = new TraceBuffer(_id, _buffers.Count, _capacity, CurrentTask.Pid, CurrentTask.Tgid, CurrentTask.CommAsBytes.ToString());
                _buffers.Add(buffer);
            }

            mine.Add(new WeakReference<TraceBuffer>(buffer));
        }

        t_last = buffer;
        return buffer;
    }
}
