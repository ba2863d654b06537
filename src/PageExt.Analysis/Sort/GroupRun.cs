using System.Buffers.Binary;

namespace PageExt.Analysis.Sort;

/// <summary>
/// A sorted run of groups: one stretch of a <see cref="SpillFile"/>, written once, then read back
/// once, front to back, by the merge. The encoding is private to one process run (little-endian
/// fields, length-prefixed byte strings), so it carries no version. A text is stored as its first
/// line and the id of its stack in the run's <see cref="StackDictionary"/> (or the stack inline).
/// </summary>
internal sealed class GroupRun
{
    private const int FixedBytes = 4 + 4 + 4 + 4 + (8 * 2) + (4 * 3) + (8 * 4);
    private readonly SpillFile _file;
    private readonly StackDictionary _stacks;
    private readonly long _start;
    private long _end = -1;

    /// <summary>Starts a run at the end of <paramref name="file"/>; runs of one file are written one after the other.</summary>
    public GroupRun(SpillFile file, StackDictionary stacks)
    {
        _file = file;
        _stacks = stacks;
        _start = file.Stream.Position;
    }

    public long Count { get; private set; }

    public void Write(SortedGroup group)
    {
        Span<byte> header = stackalloc byte[FixedBytes];
        var text = group.Text.Span;
        int newline = text.IndexOf((byte)'\n');
        var head = newline < 0 ? text : text[..(newline + 1)];
        var stack = newline < 0 ? [] : text[(newline + 1)..];
        int stackId = _stacks.Intern(stack);
        var comm = group.Comm.Span;
        BinaryPrimitives.WriteInt32LittleEndian(header, head.Length);
        BinaryPrimitives.WriteInt32LittleEndian(header[4..], stackId);
        BinaryPrimitives.WriteInt32LittleEndian(header[8..], stackId < 0 ? stack.Length : 0);
        BinaryPrimitives.WriteInt32LittleEndian(header[12..], comm.Length);
        BinaryPrimitives.WriteInt64LittleEndian(header[16..], group.Count);
        BinaryPrimitives.WriteInt64LittleEndian(header[24..], group.Pages);
        BinaryPrimitives.WriteInt32LittleEndian(header[32..], group.Pid);
        BinaryPrimitives.WriteInt32LittleEndian(header[36..], group.Tgid);
        BinaryPrimitives.WriteInt32LittleEndian(header[40..], group.Allocator);
        BinaryPrimitives.WriteUInt64LittleEndian(header[44..], group.TimestampNs);
        BinaryPrimitives.WriteUInt64LittleEndian(header[52..], group.FreeTimestampNs);
        BinaryPrimitives.WriteInt64LittleEndian(header[60..], group.FirstLine);
        BinaryPrimitives.WriteInt64LittleEndian(header[68..], group.Rank);
        var stream = _file.Stream;
        stream.Write(header);
        stream.Write(head);
        if (stackId < 0)
        {
            stream.Write(stack);
        }

        stream.Write(comm);
        Count++;
    }

    /// <summary>Ends writing: what was buffered reaches the file, where the readers find it.</summary>
    public void Complete()
    {
        if (_end < 0)
        {
            _file.Stream.Flush();
            _end = _file.Stream.Position;
        }
    }

    public Reader OpenReader(int bufferBytes)
    {
        Complete();
        // A short run needs no more buffer than its own length (many tiny runs must stay cheap).
        return new Reader(_file, _stacks, _start, _end, Count, (int)Math.Clamp(_end - _start, 1, bufferBytes));
    }

    /// <summary>
    /// Reads the run's groups in order. Texts are carved out of small shared slabs rather than
    /// allocated one array each; a slab lives as long as a group on it. Small, because the slab of a
    /// run's current group survives every collection while the merge waits on it, and survivors
    /// are what grows the heap.
    /// </summary>
    internal sealed class Reader
    {
        private const int SlabBytes = 8 << 10;
        private readonly SpillFile _file;
        private readonly StackDictionary _stacks;
        private readonly long _end;
        private readonly byte[] _buffer;
        private long _position;
        private int _bufferStart;
        private int _bufferEnd;
        private long _remaining;
        private byte[] _slab = [];
        private int _slabUsed;

        public Reader(SpillFile file, StackDictionary stacks, long start, long end, long count, int bufferBytes)
        {
            _file = file;
            _stacks = stacks;
            _position = start;
            _end = end;
            _remaining = count;
            _buffer = new byte[bufferBytes];
        }

        public SortedGroup? Next()
        {
            if (_remaining == 0)
            {
                return null;
            }

            _remaining--;
            Span<byte> header = stackalloc byte[FixedBytes];
            Read(header);
            int headLength = BinaryPrimitives.ReadInt32LittleEndian(header);
            int stackId = BinaryPrimitives.ReadInt32LittleEndian(header[4..]);
            int inlineLength = BinaryPrimitives.ReadInt32LittleEndian(header[8..]);
            int commLength = BinaryPrimitives.ReadInt32LittleEndian(header[12..]);
            var stack = stackId < 0 ? [] : _stacks.Get(stackId);
            var text = Reserve(headLength + inlineLength + stack.Length);
            Read(text.Span[..(headLength + inlineLength)]);
            stack.CopyTo(text.Span[(headLength + inlineLength)..]);
            var comm = Reserve(commLength);
            Read(comm.Span);
            return new SortedGroup(text, comm)
            {
                Count = BinaryPrimitives.ReadInt64LittleEndian(header[16..]),
                Pages = BinaryPrimitives.ReadInt64LittleEndian(header[24..]),
                Pid = BinaryPrimitives.ReadInt32LittleEndian(header[32..]),
                Tgid = BinaryPrimitives.ReadInt32LittleEndian(header[36..]),
                Allocator = BinaryPrimitives.ReadInt32LittleEndian(header[40..]),
                TimestampNs = BinaryPrimitives.ReadUInt64LittleEndian(header[44..]),
                FreeTimestampNs = BinaryPrimitives.ReadUInt64LittleEndian(header[52..]),
                FirstLine = BinaryPrimitives.ReadInt64LittleEndian(header[60..]),
                Rank = BinaryPrimitives.ReadInt64LittleEndian(header[68..]),
            };
        }

        private Memory<byte> Reserve(int length)
        {
            if (length == 0)
            {
                return Memory<byte>.Empty;
            }

            if (_slabUsed + length > _slab.Length)
            {
                _slab = new byte[Math.Max(Math.Min(SlabBytes, _buffer.Length * 4), length)];
                _slabUsed = 0;
            }

            var memory = _slab.AsMemory(_slabUsed, length);
            _slabUsed += length;
            return memory;
        }

        private void Read(Span<byte> destination)
        {
            while (destination.Length > 0)
            {
                if (_bufferStart == _bufferEnd)
                {
                    int want = (int)Math.Min(_buffer.Length, _end - _position);
                    int got = want <= 0 ? 0 : RandomAccess.Read(_file.Handle, _buffer.AsSpan(0, want), _position);
                    if (got <= 0)
                    {
                        throw new EndOfStreamException("a spilled sort run ended early");
                    }

                    _position += got;
                    _bufferStart = 0;
                    _bufferEnd = got;
                }

                int n = Math.Min(destination.Length, _bufferEnd - _bufferStart);
                _buffer.AsSpan(_bufferStart, n).CopyTo(destination);
                _bufferStart += n;
                destination = destination[n..];
            }
        }
    }
}
