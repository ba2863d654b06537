using System.Runtime.InteropServices;

namespace PageExt.Analysis.Trace;

/// <summary>
/// Replays kmem page events, line by line, into the set of blocks held at the end of the trace (or
/// at <see cref="TraceReplayOptions.AtNs"/>): the state page_owner would have recorded, rebuilt on a
/// kernel that had no page_owner. The counterpart of mm/page_owner.c's __set_page_owner and
/// __reset_page_owner, driven by the events instead of by the allocator.
/// </summary>
/// <remarks>
/// <para>Blocks are keyed by pfn (page= is not an identity: hashed since v4.15, rebuilt from the
/// pfn since v4.1). A line without pfn= is keyed by its page= pointer, which pairs an allocation
/// with its free but gives no physical address. Buddy blocks are naturally aligned, so two blocks
/// either nest or are apart: an allocation or free is checked against the same pfn, the blocks of
/// higher tracked orders that would contain it, and, for an order above 0, the smaller tracked
/// blocks inside it. A free of part of a held block splits that block into order-0 pages with the
/// same owner first, as split_page_owner does.</para>
/// <para>Stacks (ftrace's &lt;stack trace&gt; entry, trace-cmd's kernel_stack, perf's callchain)
/// are attached to the last event of the same CPU, and only while that event's block is still the
/// one it allocated.</para>
/// <para>Memory: one <see cref="TracedOwner"/> per held block, one entry per pageblock seen in an
/// extfrag event, and the distinct task names, gfp texts and stacks; never the trace itself.</para>
/// </remarks>
internal sealed class TraceReplay
{
    /// <summary>Larger than any MAX_PAGE_ORDER (10 on x86-64, up to 13 on arm64 with 64 KiB pages); a larger order is a broken line.</summary>
    public const int MaxOrder = 20;

    /// <summary>A stack longer than this (a real one is under 2 KiB) is cut, so hostile input cannot grow one without bound.</summary>
    public const int MaxStackBytes = 64 * 1024;

    private const int DefaultPageblockOrder = 9;

    private readonly HeldBlocks _byPfn = new();
    private readonly Dictionary<ulong, TracedOwner> _byPointer = [];
    private readonly Dictionary<ulong, int> _blockTypes = [];
    private readonly TraceReplayOptions _options;
    private readonly IExtfragSink? _extfrag;
    private byte[] _stack = new byte[4096];
    private int _stackLength;
    private bool _stackCut;
    private bool _orphanReported;
    private FrameTarget _target;
    private FrameTarget[] _lastOnCpu = new FrameTarget[64];
    private long _sequence;
    private long _lastTimestamp = long.MinValue;

    public TraceReplay(TraceReplayOptions options, TraceDiagnostics diagnostics, IExtfragSink? extfrag = null)
    {
        _options = options;
        Diagnostics = diagnostics;
        _extfrag = extfrag;
    }

    public TraceDiagnostics Diagnostics { get; }

    public TraceCounts Counts { get; } = new();

    public ByteInterner Comms { get; } = new();

    public ByteInterner GfpTexts { get; } = new();

    public ByteInterner Stacks { get; } = new();

    /// <summary>Blocks held, keyed by pfn.</summary>
    public IReadOnlyDictionary<ulong, TracedOwner> HeldByPfn => _byPfn.Blocks;

    /// <summary>Blocks held by events that printed no pfn, keyed by page=.</summary>
    public IReadOnlyDictionary<ulong, TracedOwner> HeldByPointer => _byPointer;

    /// <summary>Pageblock types learned from extfrag events (pageblock number to migratetype number).</summary>
    public IReadOnlyDictionary<ulong, int> BlockTypes => _blockTypes;

    public bool Before44 => _options.Before44;

    /// <summary>pageblock_order as the last extfrag event printed it; x86-64's 9 until one does.</summary>
    public int PageblockOrder { get; private set; } = DefaultPageblockOrder;

    /// <summary>Feeds one line; <paramref name="number"/> is its 1-based line number.</summary>
    public void Add(ReadOnlySpan<byte> line, long number)
    {
        Counts.Lines = number;
        var parsed = default(TraceLine);
        TraceLineParser.Parse(line, ref parsed);
        if (parsed.Kind == TraceLineKind.Frame)
        {
            AddFrame(ref parsed, number);
            return;
        }

        FinishStack();
        switch (parsed.Kind)
        {
            case TraceLineKind.Event:
                AddEvent(ref parsed, line, number);
                break;
            case TraceLineKind.StackMarker:
                StartStack(ref parsed, number, user: false);
                break;
            case TraceLineKind.UserStackMarker:
                StartStack(ref parsed, number, user: true);
                break;
            case TraceLineKind.Comment:
                AddComment(line);
                break;
            case TraceLineKind.LostEvents:
                Counts.LostEventLines++;
                Counts.LostEvents += Math.Max(parsed.LostCount, 1);
                break;
            case TraceLineKind.Malformed:
                Diagnostics.Add(number, line.IndexOf((byte)0) >= 0 ? "binary data, not text" : parsed.Problem!, line);
                break;
            default:
                break;
        }
    }

    /// <summary>Ends the input: attaches a stack still being read.</summary>
    public void Finish()
    {
        FinishStack();
        Counts.SplitBlocks = _byPfn.Splits;
    }

    private void AddEvent(ref TraceLine parsed, ReadOnlySpan<byte> line, long number)
    {
        Counts.Events[(int)parsed.Event]++;
        var target = new FrameTarget(++_sequence, parsed.Pid, 0, FrameTargetKind.Discard);
        if (parsed.Event != KmemEventKind.Other)
        {
            target = ApplyEvent(ref parsed, line, number, target);
        }

        // perf prints a sample's callchain right under it; ftrace and trace-cmd print a stack entry.
        _target = target;
        RememberOnCpu(parsed.Cpu, target);
    }

    private FrameTarget ApplyEvent(ref TraceLine parsed, ReadOnlySpan<byte> line, long number, FrameTarget target)
    {
        if (!KmemFields.TryParse(parsed.Fields, out var fields, out string? problem))
        {
            Diagnostics.Add(number, problem!, line);
            return target;
        }

        if (parsed.HasTimestamp)
        {
            if (parsed.TimestampNs < _lastTimestamp)
            {
                Counts.TimestampSteps++;
            }

            _lastTimestamp = parsed.TimestampNs;
            if (parsed.TimestampNs > _options.AtNs)
            {
                Counts.AfterAt++;
                return target;
            }
        }

        switch (parsed.Event)
        {
            case KmemEventKind.Alloc:
                return Allocate(ref parsed, in fields, line, number, target);
            case KmemEventKind.Free:
            case KmemEventKind.FreeBatched:
                Free(parsed.Event, in fields, parsed.Fields, line, number);
                return target;
            case KmemEventKind.Extfrag:
                Fallback(ref parsed, in fields, line, number);
                return target;
            default:
                // zone_locked, pcpu_drain, pcpu_refill move free pages between lists: no owner changes.
                return target;
        }
    }

    private FrameTarget Allocate(ref TraceLine parsed, in KmemFields fields, ReadOnlySpan<byte> line, long number, FrameTarget target)
    {
        if ((fields.HasPfn && fields.Pfn == 0) || (!fields.HasPfn && fields.PageKind == PageField.Null))
        {
            Counts.FailedAllocations++;
            return target;
        }

        if (!CheckOrder(fields.Order, fields.HasPfn ? fields.Pfn : 0, line, number))
        {
            return target;
        }

        var owner = new TracedOwner
        {
            Order = fields.Order,
            Migratetype = fields.Migratetype,
            GfpId = fields.GfpLength < 0 ? -1 : GfpTexts.Intern(parsed.Fields.Slice(fields.GfpStart, fields.GfpLength)),
            CommId = Comms.Intern(parsed.Comm.IsEmpty ? "<...>"u8 : parsed.Comm),
            Pid = Math.Max(parsed.Pid, 0),
            Tgid = parsed.Tgid >= 0 ? parsed.Tgid : Math.Max(parsed.Pid, 0),
            StackId = -1,
            TimestampNs = parsed.HasTimestamp ? parsed.TimestampNs : 0,
            Sequence = target.Sequence,
        };

        if (fields.HasPfn)
        {
            if (_byPfn.Add(fields.Pfn, owner))
            {
                Counts.AllocationsOverTrackedPages.Add(number);
            }

            return target with { Key = fields.Pfn, Kind = FrameTargetKind.Pfn };
        }

        if (!fields.TryGetPage(parsed.Fields, out ulong page))
        {
            Counts.Untrackable.Add(number);
            return target;
        }

        Counts.PointerKeyedAllocations++;
        ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(_byPointer, page, out bool exists);
        if (exists)
        {
            Counts.AllocationsOverTrackedPages.Add(number);
        }

        slot = owner;
        return target with { Key = page, Kind = FrameTargetKind.Pointer };
    }

    private void Free(KmemEventKind kind, in KmemFields fields, ReadOnlySpan<byte> text, ReadOnlySpan<byte> line, long number)
    {
        int order = kind == KmemEventKind.FreeBatched ? 0 : fields.Order;
        if (fields.HasPfn)
        {
            if (!CheckOrder(order, fields.Pfn, line, number))
            {
                return;
            }

            if (!_byPfn.Remove(fields.Pfn, order))
            {
                if (kind == KmemEventKind.FreeBatched)
                {
                    Counts.BatchedFreesOfFreePages++;
                }
                else
                {
                    Counts.UntrackedFrees.Add(number);
                }
            }

            return;
        }

        if (!fields.TryGetPage(text, out ulong page))
        {
            Counts.Untrackable.Add(number);
            return;
        }

        if (!_byPointer.Remove(page))
        {
            if (kind == KmemEventKind.FreeBatched)
            {
                Counts.BatchedFreesOfFreePages++;
            }
            else
            {
                Counts.UntrackedFrees.Add(number);
            }
        }
    }

    private void Fallback(ref TraceLine parsed, in KmemFields fields, ReadOnlySpan<byte> line, long number)
    {
        if (!fields.HasPfn || fields.AllocOrder < 0 || fields.FallbackOrder < 0 || fields.AllocMigratetype < 0 || fields.FallbackMigratetype < 0)
        {
            Diagnostics.Add(number, "mm_page_alloc_extfrag without pfn=, alloc_order=, fallback_order=, alloc_migratetype= or fallback_migratetype=", line);
            return;
        }

        int pageblockOrder = fields.PageblockOrder is >= 0 and <= MaxOrder ? fields.PageblockOrder : PageblockOrder;
        PageblockOrder = pageblockOrder;
        ulong block = fields.Pfn >> pageblockOrder;
        bool change = fields.ChangeOwnership > 0;

        // The page came off the fallback type's free list, so its block was of that type unless a
        // change was seen before.
        ref int known = ref CollectionsMarshal.GetValueRefOrAddDefault(_blockTypes, block, out bool exists);
        int before = exists ? known : fields.FallbackMigratetype;
        int after = change ? fields.AllocMigratetype : before;
        known = after;
        _extfrag?.Add(new ExtfragEvent(number, parsed.TimestampNs, parsed.HasTimestamp, fields.Pfn, pageblockOrder, fields.AllocOrder, fields.FallbackOrder, fields.AllocMigratetype, fields.FallbackMigratetype, change, before, after));
    }

    private bool CheckOrder(int order, ulong pfn, ReadOnlySpan<byte> line, long number)
    {
        if (order is < 0 or > MaxOrder)
        {
            Diagnostics.Add(number, order < 0 ? "a page event without order=" : "order= larger than any kernel's MAX_PAGE_ORDER", line);
            return false;
        }

        if ((pfn & ((1UL << order) - 1)) != 0)
        {
            Diagnostics.Add(number, "pfn= not aligned to its order: no buddy block starts there", line);
            return false;
        }

        return true;
    }

    private void RememberOnCpu(int cpu, FrameTarget target)
    {
        if (cpu < 0)
        {
            return;
        }

        if (cpu >= _lastOnCpu.Length)
        {
            if (cpu >= 1 << 16)
            {
                return;
            }

            Array.Resize(ref _lastOnCpu, Math.Max(cpu + 1, _lastOnCpu.Length * 2));
        }

        _lastOnCpu[cpu] = target;
    }

    private void StartStack(ref TraceLine parsed, long number, bool user)
    {
        var target = default(FrameTarget);
        if (!user && parsed.Cpu >= 0 && parsed.Cpu < _lastOnCpu.Length)
        {
            target = _lastOnCpu[parsed.Cpu];
            if (target.Sequence == 0 || (parsed.Pid >= 0 && target.Pid >= 0 && parsed.Pid != target.Pid))
            {
                Counts.StacksWithoutEvent.Add(number);
                target = default;
            }
            else
            {
                // One stack per event: a second stack entry must not replace the first.
                _lastOnCpu[parsed.Cpu] = default;
            }
        }

        // Frames of a stack that belongs to no known event are read and dropped, not reported again.
        _target = target.Sequence == 0 ? new FrameTarget(-1, -1, 0, FrameTargetKind.Discard) : target;
    }

    private void AddFrame(ref TraceLine parsed, long number)
    {
        if (_target.Sequence == 0)
        {
            // One report per run of orphan frames: the frames after the first are the same problem.
            if (!_orphanReported)
            {
                Diagnostics.Add(number, "a stack frame with no event or <stack trace> line before it");
                _orphanReported = true;
            }

            return;
        }

        if (_target.Kind == FrameTargetKind.Discard || parsed.FrameIsUser)
        {
            return;
        }

        int needed = 1 + parsed.Frame.Length + (parsed.FrameModule.IsEmpty ? 0 : parsed.FrameModule.Length + 3) + 1;
        if (_stackLength + needed > MaxStackBytes)
        {
            if (!_stackCut)
            {
                Diagnostics.Add(number, $"stack longer than {MaxStackBytes} bytes: cut here");
                _stackCut = true;
            }

            return;
        }

        if (_stackLength + needed > _stack.Length)
        {
            Array.Resize(ref _stack, Math.Max(_stack.Length * 2, _stackLength + needed));
        }

        // page_owner's frame: " sym+0xoff/0xsize", a module as " [name]".
        var span = _stack.AsSpan(_stackLength);
        span[0] = (byte)' ';
        parsed.Frame.CopyTo(span[1..]);
        int at = 1 + parsed.Frame.Length;
        if (!parsed.FrameModule.IsEmpty)
        {
            span[at++] = (byte)' ';
            span[at++] = (byte)'[';
            parsed.FrameModule.CopyTo(span[at..]);
            at += parsed.FrameModule.Length;
            span[at++] = (byte)']';
        }

        span[at++] = (byte)'\n';
        _stackLength += at;
    }

    private void FinishStack()
    {
        if (_stackLength > 0 && _target.Kind != FrameTargetKind.Discard)
        {
            ref var owner = ref _target.Kind == FrameTargetKind.Pfn
                ? ref _byPfn.Find(_target.Key)
                : ref CollectionsMarshal.GetValueRefOrNullRef(_byPointer, _target.Key);
            if (!System.Runtime.CompilerServices.Unsafe.IsNullRef(ref owner) && owner.Sequence == _target.Sequence)
            {
                owner.StackId = Stacks.Intern(_stack.AsSpan(0, _stackLength));
                Counts.Stacks++;
            }
        }

        _stackLength = 0;
        _stackCut = false;
        _orphanReported = false;
        _target = default;
    }

    private void AddComment(ReadOnlySpan<byte> line)
    {
        // "# entries-in-buffer/entries-written: 140080/250880   #P:4": the difference was overwritten.
        var prefix = "# entries-in-buffer/entries-written:"u8;
        if (!line.StartsWith(prefix))
        {
            return;
        }

        var rest = line[prefix.Length..].TrimStart((byte)' ');
        int slash = rest.IndexOf((byte)'/');
        int end = rest.IndexOf((byte)' ');
        if (slash > 0 && end > slash
            && KmemFields.TryParseNumber(rest[..slash], out ulong inBuffer)
            && KmemFields.TryParseNumber(rest[(slash + 1)..end], out ulong written)
            && written > inBuffer)
        {
            Counts.OverwrittenEvents += (long)(written - inBuffer);
        }
    }

    private enum FrameTargetKind : byte
    {
        Discard,
        Pfn,
        Pointer,
    }

    /// <summary>The event the next frames belong to: its sequence number (0 for none), pid and held block.</summary>
    private readonly record struct FrameTarget(long Sequence, int Pid, ulong Key, FrameTargetKind Kind);
}
