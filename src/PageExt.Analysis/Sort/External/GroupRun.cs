using System.Buffers.Binary;

namespace PageExt.Analysis.Sort.External;

/// <summary>
/// A sorted run of groups: one stretch of a <see cref="SpillFile"/>, written once, then read back
/// once, front to back, by the merge. The encoding is private to one process run (little-endian
/// fields, length-prefixed byte strings), so it carries no version.
/// </summary>
internal sealed class GroupRun
{
    private const int FixedBytes = 4 + 4 + (8 * 2) + (4 * 3) + (8 * 4);
    private readonly SpillFile _file;
    private readonly long _start;
    private long _end = -1;

    /// <summary>Starts a run at the end of <paramref name="file"/>; runs of one file are written one after the other.</summary>
    public GroupRun(SpillFile file)
    {
        _file = file;
        _start = file.Stream.Position;
    }

    public long Count { get; private set; }

    public void Write(SortedGroup group)
    {
        Span<byte> header = stackalloc byte[FixedBytes];
        var text = group.Text.Span;
        var comm = group.Comm.Span;
        BinaryPrimitives.WriteInt32LittleEndian(header, text.Length);
        BinaryPrimitives.WriteInt32LittleEndian(header[4..], comm.Length);
        BinaryPrimitives.WriteInt64LittleEndian(header[8..], group.Count);
        BinaryPrimitives.WriteInt64LittleEndian(header[16..], group.Pages);
        BinaryPrimitives.WriteInt32LittleEndian(header[24..], group.Pid);
        BinaryPrimitives.WriteInt32LittleEndian(header[28..], group.Tgid);
        BinaryPrimitives.WriteInt32LittleEndian(header[32..], group.Allocator);
        BinaryPrimitives.WriteUInt64LittleEndian(header[36..], group.TimestampNs);
        BinaryPrimitives.WriteUInt64LittleEndian(header[44..], group.FreeTimestampNs);
        BinaryPrimitives.WriteInt64LittleEndian(header[52..], group.FirstLine);
        BinaryPrimitives.WriteInt64LittleEndian(header[60..], group.Rank);
        var stream = _file.Stream;
        stream.Write(header);
        stream.Write(text);
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
        return new Reader(_file, _start, _end, Count, (int)Math.Clamp(_end - _start, 1, bufferBytes));
    }

    /// <summary>
    /// Reads the run's groups in order. Texts are carved out of shared slabs below the large object
    /// heap threshold rather than allocated one array each; a slab lives as long as a group on it.
    /// </summary>
    internal sealed class Reader
    {
        private const int SlabBytes = 64 << 10;
        private readonly SpillFile _file;
        private readonly long _end;
        private readonly byte[] _buffer;
        private long _position;
        private int _bufferStart;
        private int _bufferEnd;
        private long _remaining;
        private byte[] _slab = [];
        private int _slabUsed;

        public Reader(SpillFile file, long start, long end, long count, int bufferBytes)
        {
            _file = file;
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
            int textLength = BinaryPrimitives.ReadInt32LittleEndian(header);
            int commLength = BinaryPrimitives.ReadInt32LittleEndian(header[4..]);
            var text = Take(textLength);
            var comm = Take(commLength);
            return new SortedGroup(text, comm)
            {
                Count = BinaryPrimitives.ReadInt64LittleEndian(header[8..]),
                Pages = BinaryPrimitives.ReadInt64LittleEndian(header[16..]),
                Pid = BinaryPrimitives.ReadInt32LittleEndian(header[24..]),
                Tgid = BinaryPrimitives.ReadInt32LittleEndian(header[28..]),
                Allocator = BinaryPrimitives.ReadInt32LittleEndian(header[32..]),
                TimestampNs = BinaryPrimitives.ReadUInt64LittleEndian(header[36..]),
                FreeTimestampNs = BinaryPrimitives.ReadUInt64LittleEndian(header[44..]),
                FirstLine = BinaryPrimitives.ReadInt64LittleEndian(header[52..]),
                Rank = BinaryPrimitives.ReadInt64LittleEndian(header[60..]),
            };
        }

        private ReadOnlyMemory<byte> Take(int length)
        {
            if (length == 0)
            {
                return ReadOnlyMemory<byte>.Empty;
            }

            if (_slabUsed + length > _slab.Length)
            {
                _slab = new byte[Math.Max(Math.Min(SlabBytes, _buffer.Length), length)];
                _slabUsed = 0;
            }

            var memory = _slab.AsMemory(_slabUsed, length);
            Read(memory.Span);
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
