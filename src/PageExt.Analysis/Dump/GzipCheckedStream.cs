using System.Buffers.Binary;
using System.IO.Compression;

namespace PageExt.Analysis.Dump;

/// <summary>
/// Gzip decompression that notices truncation. GZipStream reports a cut-off file as a clean end of
/// stream, so at the end this compares the bytes produced with the ISIZE field of the gzip trailer
/// (the last 4 bytes of the file, the uncompressed size mod 2^32) and throws
/// <see cref="InvalidDataException"/> when they differ. A file made of several gzip members
/// (<c>cat a.gz b.gz</c>) also fails the check, since its trailer only sizes the last member; the
/// data is still read in full before the report.
/// </summary>
internal sealed class GzipCheckedStream : ReadOnlyForwardStream
{
    private readonly TailStream _compressed;
    private long _produced;

    public GzipCheckedStream(Stream compressed)
        : this(new TailStream(compressed))
    {
    }

    private GzipCheckedStream(TailStream compressed)
        : base(new GZipStream(compressed, CompressionMode.Decompress, leaveOpen: false), ownsInner: true)
    {
        _compressed = compressed;
    }

    public override int Read(Span<byte> buffer)
    {
        int n = Inner.Read(buffer);
        _produced += n;
        if (n == 0 && buffer.Length > 0)
        {
            if (_compressed.TailLength < 8)
            {
                throw new InvalidDataException("gzip data ends before its trailer");
            }

            uint size = BinaryPrimitives.ReadUInt32LittleEndian(_compressed.Tail[4..]);
            if (size != (uint)_produced)
            {
                throw new InvalidDataException($"gzip data ends early or is corrupt: {_produced} bytes decompressed, the trailer says {size} (mod 2^32)");
            }
        }

        return n;
    }

    /// <summary>Passes reads through and remembers the last 8 bytes seen.</summary>
    private sealed class TailStream(Stream inner) : ReadOnlyForwardStream(inner, ownsInner: true)
    {
        private readonly byte[] _tail = new byte[8];

        public int TailLength { get; private set; }

        public ReadOnlySpan<byte> Tail => _tail.AsSpan(0, TailLength);

        public override int Read(Span<byte> buffer)
        {
            int n = Inner.Read(buffer);
            if (n >= 8)
            {
                buffer.Slice(n - 8, 8).CopyTo(_tail);
                TailLength = 8;
            }
            else if (n > 0)
            {
                int keep = Math.Min(TailLength, 8 - n);
                _tail.AsSpan(TailLength - keep, keep).CopyTo(_tail);
                buffer[..n].CopyTo(_tail.AsSpan(keep));
                TailLength = keep + n;
            }

            return n;
        }
    }
}
