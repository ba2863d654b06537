using System.Buffers.Text;

namespace PageExt.Analysis.Reports;

/// <summary>Buffered byte output with C-style number formatting, for writers whose output is a byte contract.</summary>
internal sealed class ByteWriter : IDisposable
{
    private readonly Stream _stream;
    private readonly byte[] _buffer;
    private int _used;

    public ByteWriter(Stream stream, int bufferBytes = 1 << 16)
    {
        _stream = stream;
        _buffer = new byte[bufferBytes];
    }

    public void Write(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length > _buffer.Length - _used)
        {
            Flush();
            if (bytes.Length > _buffer.Length)
            {
                _stream.Write(bytes);
                return;
            }
        }

        bytes.CopyTo(_buffer.AsSpan(_used));
        _used += bytes.Length;
    }

    public void Write(byte b)
    {
        if (_used == _buffer.Length)
        {
            Flush();
        }

        _buffer[_used++] = b;
    }

    /// <summary>printf("%d").</summary>
    public void Write(int value)
    {
        Span<byte> digits = stackalloc byte[16];
        Utf8Formatter.TryFormat(value, digits, out int n);
        Write(digits[..n]);
    }

    public void Write(long value)
    {
        Span<byte> digits = stackalloc byte[24];
        Utf8Formatter.TryFormat(value, digits, out int n);
        Write(digits[..n]);
    }

    public void Write(ulong value)
    {
        Span<byte> digits = stackalloc byte[24];
        Utf8Formatter.TryFormat(value, digits, out int n);
        Write(digits[..n]);
    }

    public void Write(string ascii)
    {
        Span<byte> bytes = ascii.Length <= 256 ? stackalloc byte[ascii.Length * 3] : new byte[ascii.Length * 3];
        int n = System.Text.Encoding.UTF8.GetBytes(ascii, bytes);
        Write(bytes[..n]);
    }

    public void Flush()
    {
        if (_used > 0)
        {
            _stream.Write(_buffer, 0, _used);
            _used = 0;
        }

        _stream.Flush();
    }

    public void Dispose() => Flush();
}
