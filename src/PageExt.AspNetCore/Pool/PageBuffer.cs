using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using PageExt.Physical;

namespace PageExt.AspNetCore;

/// <summary>
/// One rented block of pages, as Kestrel and System.IO.Pipelines see it: a
/// <see cref="MemoryManager{T}"/> over the block's native memory. One owner per rent, never
/// reused, so a second return is told apart from a return of the same pages rented again.
/// <para>
/// Concurrency model: the renter owns it; <see cref="IDisposable.Dispose"/> may race with itself
/// (the exchange on the state decides which call returns the pages), and any other use after the
/// return throws <see cref="ObjectDisposedException"/>. A span or pointer taken before the return
/// is not checked: that is the use-after-return the machine's debugging features catch.
/// </para>
/// </summary>
internal sealed unsafe class PageBuffer : MemoryManager<byte>
{
    private const int Rented = 0;
    private const int Returned = 1;

    private readonly PageExtMemoryPool _pool;
    private readonly nint _address;
    private int _state;

    // The copy TryGetArray hands out, from ArrayPool<byte>.Shared; given back with the pages.
    private byte[]? _snapshot;

    public PageBuffer(PageExtMemoryPool pool, Pfn pfn, int order, nint address)
    {
        _pool = pool;
        _address = address;
        Pfn = pfn;
        Order = order;
    }

    public Pfn Pfn { get; }

    public int Order { get; }

    public int Length => PageSize.Bytes << Order;

    public override Span<byte> GetSpan()
    {
        ThrowIfUnusable();
        return new Span<byte>((void*)_address, Length);
    }

    /// <summary>The block's own address: native memory never moves, so nothing is pinned and Unpin has nothing to do.</summary>
    public override MemoryHandle Pin(int elementIndex = 0)
    {
        ThrowIfUnusable();
        if ((uint)elementIndex > (uint)Length)
        {
            ThrowIndex(elementIndex, Length);
        }

        return new MemoryHandle((byte*)_address + elementIndex);
    }

    public override void Unpin()
    {
    }

    /// <summary>
    /// A copy of the block as it is now, in an array: the memory is not an array, but Kestrel's
    /// socket transport sends a multi-segment buffer through SocketAsyncEventArgs.BufferList, which
    /// takes only arrays, and it asks for them here at the moment of the send, after the bytes are
    /// written. The copy is read-only in effect: writes to it never reach the pages. Every call
    /// copies again (a pipe segment is sent once per flush, and may grow in between); the copy is
    /// made through the pages, so a returned buffer still faults or trips the poison check.
    /// </summary>
    protected override bool TryGetArray(out ArraySegment<byte> segment)
    {
        ThrowIfUnusable();
        _snapshot ??= ArrayPool<byte>.Shared.Rent(Length);
        new ReadOnlySpan<byte>((void*)_address, Length).CopyTo(_snapshot);
        _pool.CountArrayCopy();
        segment = new ArraySegment<byte>(_snapshot, 0, Length);
        return true;
    }

    protected override void Dispose(bool disposing)
    {
        if (Interlocked.Exchange(ref _state, Returned) == Rented)
        {
            if (_snapshot is { } snapshot)
            {
                _snapshot = null;
                ArrayPool<byte>.Shared.Return(snapshot);
            }

            _pool.Return(this);
        }
        else
        {
            _pool.ReportDoubleReturn(this);
        }
    }

    private void ThrowIfUnusable()
    {
        if (_state != Rented || _pool.Machine.IsDisposed)
        {
            ThrowUnusable();
        }
    }

    [DoesNotReturn]
    private void ThrowUnusable() => throw new ObjectDisposedException(
        nameof(PageBuffer),
        _state != Rented
            ? $"the buffer at pfn {Pfn} order {Order} was returned to its pool"
            : $"the machine under the buffer at pfn {Pfn} is disposed");

    [DoesNotReturn]
    private static void ThrowIndex(int elementIndex, int length) => throw new ArgumentOutOfRangeException(
        nameof(elementIndex), elementIndex, $"the buffer is {length} bytes");
}
