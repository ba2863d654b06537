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
        Blocks = new AdjacentMerge(options);
    }

    public GroupTable Table { get; } = new(segmentBytes: 1 << 20);

    /// <summary>The chunk's part of page_owner_sort's "loaded N".</summary>
    public AdjacentMerge Blocks { get; }

    public void Reset()
    {
        Table.Reset();
        Blocks.Reset();
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public void Accept(in RawRecord record, List<DumpDiagnostic> diagnostics)
    {
        var text = record.Text;
        if (_options.Compat == CompatMode.Y2014)
        {
            // The 2014 tool groups whole blocks, PFN line included, and knows no fields; a record with
            // an order no kernel records is still named, as in every other mode.
            RecordOrder.Pages(text, record.Line, diagnostics);
            Blocks.Add(text);
            ref var block = ref Table.FindOrAdd(text, ByteHash.Hash(text), out bool isNew);
            if (isNew)
            {
                block.Text = block.Key;
                block.FirstLine = record.Line;
            }

            block.Count++;
            return;
        }

        if (!RecordFields.TryRead(_options, in record, diagnostics, out var fields))
        {
            return;
        }

        Blocks.Add(text);
        var cull = _options.Cull;
        var tsCapture = fields.Timestamp;
        ulong ts = fields.TimestampNs;
        ulong freeTs = fields.FreeTimestampNs;
        int pid = fields.Pid;
        int tgid = fields.Tgid;
        bool commPerRecord = fields.CommPerRecord;
        var comm = RecordFields.Slice(text, fields.Comm);
        int pages = fields.Pages;
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
            group.Comm = Table.Arena.Add(commPerRecord ? comm : RecordFields.CommOf(text));
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

    /// <summary>The text with the ts digits cut out, as page_owner_sort stores it.</summary>
    private ReadOnlySpan<byte> Strip(ReadOnlySpan<byte> text, KernelFields.Capture ts)
    {
        text[..ts.Start].CopyTo(_stored);
        text[ts.End..].CopyTo(_stored.AsSpan(ts.Start));
        return _stored.AsSpan(0, text.Length - ts.Length);
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
