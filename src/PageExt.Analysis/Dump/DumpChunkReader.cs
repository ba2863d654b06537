namespace PageExt.Analysis.Dump;

/// <summary>
/// Reads a dump stream in fixed-size chunks cut at record boundaries, so that chunks can be parsed
/// on several threads and merged in order. Memory is bounded by the chunk size times the number of
/// chunks in flight, whatever the input size.
/// </summary>
/// <remarks>
/// Concurrency model: one thread calls <see cref="Next"/>; chunk buffers come back from parser
/// threads through <see cref="Return"/>, which is thread-safe.
/// </remarks>
internal sealed class DumpChunkReader
{
    public const int DefaultChunkBytes = 4 << 20;

    private static ReadOnlySpan<byte> RecordStartAfterNewline => "\nPage allocated via "u8;

    private readonly Stream _stream;
    private readonly int _chunkBytes;
    private readonly System.Collections.Concurrent.ConcurrentBag<byte[]> _free = [];
    private byte[] _carry;
    private int _carryLength;
    private bool _carryStartsInsideParagraph;
    private int _pfnAllocator;
    private int _index;
    private bool _done;

    public DumpChunkReader(Stream stream, int chunkBytes = DefaultChunkBytes)
    {
        _stream = stream;
        _chunkBytes = chunkBytes;
        _carry = new byte[chunkBytes];
    }

    /// <summary>Bytes of decompressed text read so far.</summary>
    public long BytesRead { get; private set; }

    public void Return(DumpChunk chunk)
    {
        _free.Add(chunk.Buffer);
    }

    /// <returns>The next chunk, or null at the end of the input.</returns>
    public DumpChunk? Next()
    {
        if (_done)
        {
            return null;
        }

        if (!_free.TryTake(out var buffer))
        {
            buffer = new byte[_chunkBytes];
        }

        var chunk = new DumpChunk(buffer)
        {
            Index = _index++,
            StartsInsideParagraph = _carryStartsInsideParagraph,
            InheritedPfnAllocator = _pfnAllocator,
        };
        _carry.AsSpan(0, _carryLength).CopyTo(buffer);
        int length = _carryLength;
        bool eof = false;
        while (length < buffer.Length)
        {
            int n;
            try
            {
                n = _stream.Read(buffer, length, buffer.Length - length);
            }
            catch (InvalidDataException e)
            {
                chunk.TruncationReason = $"compressed data is corrupt or truncated ({e.Message})";
                n = 0;
            }
            catch (EndOfStreamException e)
            {
                chunk.TruncationReason = $"compressed data is truncated ({e.Message})";
                n = 0;
            }

            if (n == 0)
            {
                eof = true;
                break;
            }

            BytesRead += n;
            length += n;
        }

        chunk.Length = length;
        int cut;
        if (eof)
        {
            cut = length;
            chunk.IsFinal = true;
            _done = true;
        }
        else
        {
            var span = buffer.AsSpan(0, length);
            int header = span.LastIndexOf(RecordStartAfterNewline);
            if (header >= 0)
            {
                cut = header + 1;
                _carryStartsInsideParagraph = false;
            }
            else
            {
                int newline = span.LastIndexOf((byte)'\n');
                cut = newline >= 0 ? newline + 1 : length;
                _carryStartsInsideParagraph = newline < 0 || !EndsWithBlankLine(span[..cut]);
            }

            chunk.EndsInsideParagraph = _carryStartsInsideParagraph;
        }

        _pfnAllocator = LastPfnAllocator(buffer.AsSpan(0, cut), chunk.StartsInsideParagraph, _pfnAllocator);
        _carryLength = length - cut;
        if (_carryLength > 0)
        {
            if (_carry.Length < _carryLength)
            {
                _carry = new byte[buffer.Length];
            }

            buffer.AsSpan(cut, _carryLength).CopyTo(_carry);
        }

        chunk.Length = cut;
        if (cut == 0 && chunk.IsFinal && chunk.TruncationReason is null && chunk.Index > 0)
        {
            Return(chunk);
            return null;
        }

        return chunk;
    }

    private static bool EndsWithBlankLine(ReadOnlySpan<byte> text) =>
        text.EndsWith("\n\n"u8) || text.EndsWith("\n\r\n"u8) || text.Length == 1;

    /// <summary>The allocator bits of the last line starting with "PFN" in <paramref name="text"/>.</summary>
    private static int LastPfnAllocator(ReadOnlySpan<byte> text, bool startsInsideParagraph, int previous)
    {
        int at = text.LastIndexOf("\nPFN"u8);
        int lineStart;
        if (at >= 0)
        {
            lineStart = at + 1;
        }
        else if (!startsInsideParagraph && text.StartsWith("PFN"u8))
        {
            lineStart = 0;
        }
        else
        {
            return previous;
        }

        var line = text[lineStart..];
        int end = line.IndexOf((byte)'\n');
        return KernelFields.PfnLineAllocator(end >= 0 ? line[..end] : line);
    }
}
