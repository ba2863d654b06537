using PageExt.Analysis.Dump;

namespace PageExt.Analysis.Sort;

/// <summary>
/// Turns records into groups for one chunk: filters (--pid/--tgid/--name, -f), extracts the fields
/// page_owner_sort extracts, cuts the ts digits, and adds the record to the group of its cull key.
/// Only the first record of a group is copied; the others just add to its counts.
/// </summary>
internal sealed class SortChunkSink : IRecordSink
{
    private readonly SortOptions _options;
    private readonly byte[] _stored = new byte[ChunkParser.MaxRecordBytes];
    private byte[] _key = new byte[1024];

    public SortChunkSink(SortOptions options)
    {
        _options = options;
    }

    public GroupTable Table { get; } = new(segmentBytes: 1 << 20);

    public void Reset() => Table.Reset();

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public void Accept(in RawRecord record, List<DumpDiagnostic> diagnostics)
    {
        var text = record.Text;
        if (_options.Compat == CompatMode.Y2014)
        {
            // The 2014 tool groups whole blocks, PFN line included, and knows no fields; a record with
            // an order no kernel records is still named, as in every other mode.
            RecordOrder.Pages(text, record.Line, diagnostics);
            ref var block = ref Table.FindOrAdd(text, ByteHash.Hash(text), out bool isNew);
            if (isNew)
            {
                block.Text = block.Key;
                block.FirstLine = record.Line;
            }

            block.Count++;
            return;
        }

        bool v66 = _options.Compat == CompatMode.V6_6;
        var tsCapture = KernelFields.FindTimestamp(text, requireComma: v66);
        ulong ts = KernelFields.ParseTimestamp(text, tsCapture, out bool tsOutOfRange);
        ulong freeTs = 0;
        if (v66)
        {
            freeTs = KernelFields.ParseTimestamp(text, KernelFields.FindFreeTimestamp(text), out _);
            if (_options.OnlyUnreleased && freeTs != 0 && ts < freeTs)
            {
                return;
            }
        }

        int pid = KernelFields.ParsePid(text, KernelFields.FindPid(text), out bool pidOutOfRange);
        if (_options.Pids is { } pids && !pids.Contains(pid))
        {
            return;
        }

        int tgid = KernelFields.ParsePid(text, KernelFields.FindTgid(text), out bool tgidOutOfRange);
        if (_options.Tgids is { } tgids && !tgids.Contains(tgid))
        {
            return;
        }

        // Comm, allocator and the stored text matter per record only when they are part of the key
        // or a filter; otherwise they are taken from the group's first record alone.
        var cull = _options.Cull;
        bool commPerRecord = _options.Comms is not null || (cull & CullKeys.Comm) != 0;
        var comm = commPerRecord ? Comm(text) : [];
        if (_options.Comms is { } comms && !ContainsName(comms, comm))
        {
            return;
        }

        int pages = RecordOrder.Pages(text, record.Line, diagnostics);
        if (tsOutOfRange | pidOutOfRange | tgidOutOfRange)
        {
            ReportOutOfRange(record.Line, diagnostics, tsOutOfRange, pidOutOfRange, tgidOutOfRange);
        }

        int allocator = (cull & CullKeys.Allocator) != 0 ? KernelFields.Allocator(text, record.PfnAllocator) : 0;
        bool strip = _options.StripTimestamp && tsCapture.Found && tsCapture.Length > 0;
        ReadOnlySpan<byte> key;
        if (cull == CullKeys.None)
        {
            key = strip ? Strip(text, tsCapture) : text;
        }
        else
        {
            // The stack is the text after its first line; the ts digits cut from the stored text are
            // normally on that first line, in which case the stack needs no copy.
            ReadOnlySpan<byte> stackSource = text;
            if (strip && (cull & CullKeys.StackTrace) != 0 && tsCapture.Start > text.IndexOf((byte)'\n'))
            {
                stackSource = Strip(text, tsCapture);
            }

            key = BuildCullKey(cull, stackSource, pid, tgid, comm, allocator, freeTs);
        }

        ref var group = ref Table.FindOrAdd(key, ByteHash.Hash(key), out bool added);
        if (added)
        {
            group.Text = cull == CullKeys.None ? group.Key : Table.Arena.Add(strip ? Strip(text, tsCapture) : text);
            group.Comm = Table.Arena.Add(commPerRecord ? comm : Comm(text));
            group.Pid = pid;
            group.Tgid = tgid;
            group.Allocator = (cull & CullKeys.Allocator) != 0 ? allocator : KernelFields.Allocator(text, record.PfnAllocator);
            group.TimestampNs = ts;
            group.FreeTimestampNs = freeTs;
            group.FirstLine = record.Line;
        }

        group.Count++;
        group.Pages += pages;
    }

    private static ReadOnlySpan<byte> Comm(ReadOnlySpan<byte> text)
    {
        var capture = KernelFields.FindComm(text);
        return capture.Found ? text[capture.Start..capture.End] : [];
    }

    /// <summary>The text with the ts digits cut out, as page_owner_sort stores it.</summary>
    private ReadOnlySpan<byte> Strip(ReadOnlySpan<byte> text, KernelFields.Capture ts)
    {
        text[..ts.Start].CopyTo(_stored);
        text[ts.End..].CopyTo(_stored.AsSpan(ts.Start));
        return _stored.AsSpan(0, text.Length - ts.Length);
    }

    private static bool ContainsName(IReadOnlyList<byte[]> names, ReadOnlySpan<byte> comm)
    {
        foreach (var name in names)
        {
            if (comm.SequenceEqual(name))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The culled fields, length-prefixed so that distinct tuples never share bytes.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private ReadOnlySpan<byte> BuildCullKey(CullKeys cull, ReadOnlySpan<byte> stored, int pid, int tgid, ReadOnlySpan<byte> comm, int allocator, ulong freeTs)
    {
        var stack = SortedGroup.StackTraceOf(stored);
        int needed = stack.Length + comm.Length + 32;
        if (_key.Length < needed)
        {
            _key = new byte[Math.Max(needed, _key.Length * 2)];
        }

        var writer = new KeyWriter(_key);
        if ((cull & CullKeys.StackTrace) != 0)
        {
            writer.Bytes(stack);
        }

        if ((cull & CullKeys.Pid) != 0)
        {
            writer.Int(pid);
        }

        if ((cull & CullKeys.Tgid) != 0)
        {
            writer.Int(tgid);
        }

        if ((cull & CullKeys.Comm) != 0)
        {
            writer.Bytes(comm);
        }

        if ((cull & CullKeys.Free) != 0)
        {
            writer.Int(freeTs != 0 ? 1 : 0);
        }

        if ((cull & CullKeys.Allocator) != 0)
        {
            writer.Int(allocator);
        }

        return _key.AsSpan(0, writer.Length);
    }

    private static void ReportOutOfRange(long line, List<DumpDiagnostic> diagnostics, bool ts, bool pid, bool tgid)
    {
        var fields = new List<string>(3);
        if (pid)
        {
            fields.Add("pid (-1, or truncated to 32 bits)");
        }

        if (tgid)
        {
            fields.Add("tgid (-1, or truncated to 32 bits)");
        }

        if (ts)
        {
            fields.Add("ts (UINT64_MAX)");
        }

        diagnostics.Add(new DumpDiagnostic(line, DiagnosticKind.NumberOutOfRange,
            "out-of-range " + string.Join(", ", fields) + "; read as page_owner_sort reads it, record kept"));
    }

    private ref struct KeyWriter
    {
        private readonly Span<byte> _buffer;

        public KeyWriter(Span<byte> buffer)
        {
            _buffer = buffer;
            Length = 0;
        }

        public int Length { get; private set; }

        public void Int(int value)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(_buffer[Length..], value);
            Length += 4;
        }

        public void Bytes(ReadOnlySpan<byte> value)
        {
            Int(value.Length);
            value.CopyTo(_buffer[Length..]);
            Length += value.Length;
        }
    }
}
