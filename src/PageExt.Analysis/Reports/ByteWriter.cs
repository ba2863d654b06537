using System.Buffers.Text;
using System.Runtime.CompilerServices;

namespace PageExt.Analysis.Reports;

/// <summary>Buffered byte output with C-style number formatting, for writers whose output is a byte contract.</summary>
/// <remarks>
/// Its writes are compiled optimized from their first call (<c>AggressiveOptimization</c>): a report
/// makes millions of them in one pass, most of which tiered compilation would run unoptimized.
/// <para>
/// Concurrency model: one thread writes. With overlapped writes a full buffer goes to the stream on a
/// pool thread while the caller fills the other one; the stream is only ever used by one thread at a
/// time, because every direct use first waits for the write in flight, whose exception it rethrows.
/// </para>
/// </remarks>
internal sealed class ByteWriter : IDisposable
{
    private readonly Stream _stream;
    private byte[] _buffer;
    private byte[]? _spare;
    private Task _pending = Task.CompletedTask;
    private int _used;

    /// <param name="overlapWrites">Write each full buffer in the background (two buffers): for the
    /// largest reports, whose writes cost as much as everything else.</param>
    public ByteWriter(Stream stream, int bufferBytes = 1 << 16, bool overlapWrites = false)
    {
        _stream = stream;
        _buffer = new byte[bufferBytes];
        _spare = overlapWrites ? new byte[bufferBytes] : null;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Write(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length > _buffer.Length - _used)
        {
            Drain();
            if (bytes.Length > _buffer.Length)
            {
                WaitForWrite();
                _stream.Write(bytes);
                return;
            }
        }

        bytes.CopyTo(_buffer.AsSpan(_used));
        _used += bytes.Length;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Write(byte b)
    {
        if (_used == _buffer.Length)
        {
            Drain();
        }

        _buffer[_used++] = b;
    }

    /// <summary>printf("%d").</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Write(int value)
    {
        Span<byte> digits = stackalloc byte[16];
        Utf8Formatter.TryFormat(value, digits, out int n);
        Write(digits[..n]);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Write(long value)
    {
        Span<byte> digits = stackalloc byte[24];
        Utf8Formatter.TryFormat(value, digits, out int n);
        Write(digits[..n]);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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
        Drain();
        WaitForWrite();
        _stream.Flush();
    }

    /// <summary>Hands the buffered bytes to the stream, in the background when writes overlap.</summary>
    private void Drain()
    {
        if (_used == 0)
        {
            return;
        }

        if (_spare is null)
        {
            _stream.Write(_buffer, 0, _used);
            _used = 0;
            return;
        }

        WaitForWrite();
        var full = _buffer;
        int length = _used;
        _buffer = _spare;
        _spare = full;
        _used = 0;
        _pending = Task.Run(() => _stream.Write(full, 0, length));
    }

    private void WaitForWrite() => _pending.GetAwaiter().GetResult();

    public void Dispose() => Flush();
}
