using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using PageExt.Physical;

namespace PageExt.AspNetCore;

/// <summary>
/// One rented block of pages, as Kestrel and System.IO.Pipelines see it: a
/// <see cref="MemoryManager{T}"/> over the block's native memory. One owner per rent, never
/// reused, so a second return is told apart from a return of the same pages rented again: an owner
/// object reused for the next rent of the page would take a stale owner's second Dispose for the
/// new renter's return and free pages someone else is using. What reuse would save is this
/// object's allocation, so the object is kept to the runtime's small minimum: the pool, the PFN,
/// and one word holding the order and the return state (32 bytes on 64-bit).
/// <para>
/// Concurrency model: the renter owns it; <see cref="IDisposable.Dispose"/> may race with itself
/// (the atomic OR on the state decides which call returns the pages), and any other use after the
/// return throws <see cref="ObjectDisposedException"/>. A span or pointer taken before the return
/// is not checked: that is the use-after-return the machine's debugging features catch.
/// </para>
/// </summary>
internal sealed unsafe class PageBuffer : MemoryManager<byte>
{
    // _state: the order in the low byte, which never changes, and the flags above it.
    private const int OrderMask = 0xff;
    private const int ReturnedFlag = 1 << 8;

    // The pool holds an array copy of the block for TryGetArray (rare: Kestrel's multi-segment sends).
    private const int SnapshotFlag = 1 << 9;

    private readonly PageExtMemoryPool _pool;
    private readonly uint _pfn;
    private int _state;

    public PageBuffer(PageExtMemoryPool pool, uint pfn, int order)
    {
        _pool = pool;
        _pfn = pfn;
        _state = order;
    }

    public Pfn Pfn => new(_pfn);

    public int Order => _state & OrderMask;

    public int Length => PageSize.Bytes << Order;

    // page_address(): the pool's direct-map base plus pfn << PAGE_SHIFT.
    private byte* Address => (byte*)_pool.DirectMap + ((nint)_pfn << PageSize.Shift);

    public override Span<byte> GetSpan()
    {
        ThrowIfUnusable();
        return new Span<byte>(Address, Length);
    }

    /// <summary>The block's own address: native memory never moves, so nothing is pinned and Unpin has nothing to do.</summary>
    public override MemoryHandle Pin(int elementIndex = 0)
    {
        ThrowIfUnusable();
        if ((uint)elementIndex > (uint)Length)
        {
            ThrowIndex(elementIndex, Length);
        }

        return new MemoryHandle(Address + elementIndex);
    }

    public override void Unpin()
    {
    }

    /// <summary>
    /// A copy of the block as it is now, in an array: the memory is not an array, but Kestrel's
    /// socket transport sends a multi-segment buffer through SocketAsyncEventArgs.BufferList, which
    /// takes only arrays, and it asks for them here at the moment of the send, after the bytes are
    /// written (a single segment it sends as memory, with no copy). The copy is read-only in
    /// effect: writes to it never reach the pages. Every call copies again (a pipe segment is sent
    /// once per flush, and may grow in between); the copy is made through the pages, so a returned
    /// buffer still faults or trips the poison check.
    /// </summary>
    protected override bool TryGetArray(out ArraySegment<byte> segment)
    {
        ThrowIfUnusable();
        byte[] snapshot = _pool.Snapshot(_pfn, Length);
        Interlocked.Or(ref _state, SnapshotFlag);
        new ReadOnlySpan<byte>(Address, Length).CopyTo(snapshot);
        segment = new ArraySegment<byte>(snapshot, 0, Length);
        return true;
    }

    protected override void Dispose(bool disposing)
    {
        int before = Interlocked.Or(ref _state, ReturnedFlag);
        if ((before & ReturnedFlag) == 0)
        {
            // Before the pages go back: once they do, the PFN may be rented again and snapshot anew.
            if ((before & SnapshotFlag) != 0)
            {
                _pool.ReleaseSnapshot(_pfn);
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
        if ((_state & ReturnedFlag) != 0 || _pool.Machine.IsDisposed)
        {
            ThrowUnusable();
        }
    }

    [DoesNotReturn]
    private void ThrowUnusable() => throw new ObjectDisposedException(
        nameof(PageBuffer),
        (_state & ReturnedFlag) != 0
            ? $"the buffer at pfn {Pfn} order {Order} was returned to its pool"
            : $"the machine under the buffer at pfn {Pfn} is disposed");

    [DoesNotReturn]
    private static void ThrowIndex(int elementIndex, int length) => throw new ArgumentOutOfRangeException(
        nameof(elementIndex), elementIndex, $"the buffer is {length} bytes");
}
