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
internal sealed class GzipCheckedStream : Stream
{
    private readonly TailStream _compressed;
    private readonly GZipStream _gzip;
    private long _produced;

    public GzipCheckedStream(Stream compressed)
    {
        _compressed = new TailStream(compressed);
        _gzip = new GZipStream(_compressed, CompressionMode.Decompress, leaveOpen: false);
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int n = _gzip.Read(buffer);
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

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _gzip.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <summary>Passes reads through and remembers the last 8 bytes seen.</summary>
    private sealed class TailStream : Stream
    {
        private readonly Stream _inner;
        private readonly byte[] _tail = new byte[8];

        public TailStream(Stream inner)
        {
            _inner = inner;
        }

        public int TailLength { get; private set; }

        public ReadOnlySpan<byte> Tail => _tail.AsSpan(0, TailLength);

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            int n = _inner.Read(buffer);
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

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
