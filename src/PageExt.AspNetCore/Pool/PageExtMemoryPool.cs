using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.Extensions.Logging;
using PageExt.Buddy;
using PageExt.Physical;

namespace PageExt.AspNetCore;

/// <summary>
/// A <see cref="MemoryPool{T}"/> whose every buffer is a block of pages of a PageExt machine:
/// <see cref="Rent"/> is alloc_pages() of the smallest order that holds the size, and disposing the
/// owner is __free_pages(). Whatever the machine's command line switched on applies to the
/// buffers: page_owner records who rented each one (the stack under the allocator's fixed prefix
/// starts at this pool's <see cref="Rent"/> and runs on through the caller, Kestrel's socket
/// receive loop for a server); page_poison reports a write after return when the page is next
/// rented; debug_pagealloc makes a returned buffer fault at the first access.
/// <para>
/// Unlike Kestrel's pools this one keeps no free list of its own: the machine's per-CPU page
/// caches are the pool, so a returned buffer goes straight back to the allocator, where the
/// debugging features see it.
/// </para>
/// <para>
/// Concurrency model: <see cref="Rent"/> and returns run on any thread without a lock of the
/// pool's; the allocator serialises what it must. The pool keeps one byte per page of the machine
/// (the order of the buffer rented there, plus one), written only by the thread that holds the
/// page, and counts rents and returns per processor (<see cref="StripedCount"/>), so a rent and a
/// return write no cache line that another core's rents write too: Kestrel rents on one thread
/// and returns on another, and two totals shared by every core bounced between them. A second
/// return of an owner is caught by the owner's own state, never passed to the allocator: the
/// pages may by then belong to someone else. <see cref="MemoryPool{T}.Dispose()"/> is idempotent and thread-safe;
/// buffers returned after it are still freed while the machine lives.
/// </para>
/// </summary>
public sealed class PageExtMemoryPool : MemoryPool<byte>
{
    /// <summary>What <c>Rent()</c> and <c>Rent(-1)</c> hand out: one page.</summary>
    public const int DefaultBufferSize = PageSize.Bytes;

    /// <summary>The largest block the buddy allocator has: 2^MAX_PAGE_ORDER pages.</summary>
    public const int MaxBlockSize = PageSize.Bytes << PageOrder.Max;

    // Allocations for buffers that the caller fills: no zeroing (Kestrel overwrites what it reads
    // into), unmovable since the address is handed out by Pin.
    private const GfpFlags BufferGfp = GfpFlags.Kernel;

    private readonly Machine _machine;
    private readonly ILogger _logger;

    // page_address() as the kernel's direct map computes it: PAGE_OFFSET plus pfn << PAGE_SHIFT.
    // Machine.PageAddress answers the same, but counts itself in and out of the machine's
    // operations through a counter every core shares, which a rent on the hot path need not.
    private readonly nint _directMap;

    // Per PFN: 0 when this pool has no buffer starting there, else the buffer's order + 1.
    private readonly byte[] _rentedOrder;
    private readonly StripedCount _rented = new();
    private readonly StripedCount _returned = new();
    private long _arrayCopies;

    // TryGetArray's copies by PFN, from ArrayPool<byte>.Shared, given back with the pages. Kept
    // here rather than in each buffer, whose size every rent allocates.
    private readonly ConcurrentDictionary<uint, byte[]> _snapshots = new();
    private int _disposed;

    internal PageExtMemoryPool(Machine machine, string? owner, ILogger logger)
    {
        _machine = machine;
        _logger = logger;
        Owner = owner;
        _directMap = machine.Allocator.DirectMapBase;
        _rentedOrder = new byte[checked((int)machine.Memory.MaxPfn)];
    }

    /// <summary>Raised for each double return, on the returning thread, after it is logged.</summary>
    public event Action<DoubleReturnReport>? DoubleReturn;

    /// <summary>Who the pool was created for (Kestrel passes "kestrel").</summary>
    public string? Owner { get; }

    /// <summary>The machine whose pages the buffers are.</summary>
    public Machine Machine => _machine;

    /// <summary>PAGE_OFFSET of the machine: a page's address is this plus pfn &lt;&lt; PAGE_SHIFT.</summary>
    internal nint DirectMap => _directMap;

    /// <inheritdoc/>
    public override int MaxBufferSize => MaxBlockSize;

    /// <summary>Buffers rented since the pool was created.</summary>
    public long RentedCount => _rented.Sum();

    /// <summary>Buffers returned (once each; double returns are not counted).</summary>
    public long ReturnedCount => _returned.Sum();

    /// <summary>
    /// Copies of a buffer made for callers that need an array (MemoryMarshal.TryGetArray): Kestrel's
    /// socket transport asks for one per segment of a multi-segment send. A plaintext GET sends one
    /// segment and makes none.
    /// </summary>
    public long ArrayCopyCount => Volatile.Read(ref _arrayCopies);

    /// <summary>True once the pool is disposed; it then refuses to rent.</summary>
    public bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    /// <summary>The report made at disposal when buffers were still rented, else null.</summary>
    public PoolLeakReport? LeakReport { get; private set; }

    /// <summary>
    /// A buffer of at least <paramref name="minBufferSize"/> bytes (one page for -1, the default):
    /// a block of 2^order pages, so its length is the size rounded up to a power-of-two number of
    /// pages. Throws <see cref="ArgumentOutOfRangeException"/> above <see cref="MaxBufferSize"/>,
    /// <see cref="ObjectDisposedException"/> once the pool is disposed, and
    /// <see cref="InsufficientMemoryException"/> when the machine has no free block that large.
    /// </summary>
    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        if (_disposed != 0)
        {
            ThrowDisposed();
        }

        int order = minBufferSize == -1 ? 0 : OrderFor(minBufferSize);
        if (!_machine.TryAllocPages(BufferGfp, order, out var pfn))
        {
            ThrowOutOfPages(order);
        }

        _rentedOrder[pfn.Value] = (byte)(order + 1);
        _rented.Increment();
        return new PageBuffer(this, (uint)pfn.Value, order);
    }

    /// <summary>The order of the smallest block holding <paramref name="bytes"/>.</summary>
    internal static int OrderFor(int bytes)
    {
        if ((uint)bytes > MaxBlockSize)
        {
            ThrowTooLarge(bytes);
        }

        uint pages = (uint)(bytes + PageSize.Bytes - 1) >> PageSize.Shift;
        return pages <= 1 ? 0 : BitOperations.Log2(pages - 1) + 1;
    }

    /// <summary>The array TryGetArray copies the buffer at <paramref name="pfn"/> into: one per rented buffer, kept until its return.</summary>
    internal byte[] Snapshot(uint pfn, int length)
    {
        var snapshot = _snapshots.GetOrAdd(pfn, static (_, bytes) => ArrayPool<byte>.Shared.Rent(bytes), length);
        if (snapshot.Length < length)
        {
            // Left by a buffer whose TryGetArray raced its own return: too small for this block.
            snapshot = _snapshots[pfn] = ArrayPool<byte>.Shared.Rent(length);
        }

        Interlocked.Increment(ref _arrayCopies);
        return snapshot;
    }

    /// <summary>The buffer at <paramref name="pfn"/> is being returned: its copy goes back to the array pool.</summary>
    internal void ReleaseSnapshot(uint pfn)
    {
        if (_snapshots.TryRemove(pfn, out var snapshot))
        {
            ArrayPool<byte>.Shared.Return(snapshot);
        }
    }

    /// <summary>The owner's first return: the pages go back to the machine.</summary>
    internal void Return(PageBuffer buffer)
    {
        _rentedOrder[buffer.Pfn.Value] = 0;
        _returned.Increment();
        try
        {
            _machine.FreePages(buffer.Pfn, buffer.Order);
        }
        catch (ObjectDisposedException)
        {
            // The machine went first (the host is shutting down): its memory went with it.
        }
    }

    /// <summary>An owner returned again: reported and logged, never freed twice, never thrown.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    internal void ReportDoubleReturn(PageBuffer buffer)
    {
        var text = new StringBuilder();
        text.Append("PageExt memory pool ").Append(Describe()).Append(": double return of the buffer at pfn ")
            .Append(buffer.Pfn).Append(" order ").Append(buffer.Order)
            .Append("; the second return is ignored\nreturned again from:\n");
        foreach (var frame in new StackTrace(2, false).GetFrames())
        {
            if (frame.GetMethod() is { } method)
            {
                text.Append(' ').Append(method.DeclaringType?.FullName).Append('.').Append(method.Name).Append('\n');
            }
        }

        AppendOwner(text, buffer.Pfn);
        var report = new DoubleReturnReport(Owner, buffer.Pfn, buffer.Order, text.ToString());
        PoolLog.DoubleReturn(_logger, report.Text);
        DoubleReturn?.Invoke(report);
    }

    /// <summary>
    /// Refuse further rents and, if buffers are still rented, list them with the stacks that rented
    /// them (<see cref="LeakReport"/>, logged as a warning). The buffers stay valid: a late return
    /// still frees its pages.
    /// </summary>
    protected override void Dispose(bool disposing)
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        long returned = ReturnedCount;
        long rented = RentedCount;
        if (rented == returned || _machine.IsDisposed)
        {
            return;
        }

        var buffers = new List<RentedBuffer>();
        for (int pfn = 0; pfn < _rentedOrder.Length; pfn++)
        {
            int order = Volatile.Read(ref _rentedOrder[pfn]) - 1;
            if (order >= 0)
            {
                var text = new StringBuilder();
                AppendOwner(text, new Pfn((ulong)pfn));
                buffers.Add(new RentedBuffer(new Pfn((ulong)pfn), order, text.ToString()));
            }
        }

        var report = new StringBuilder();
        report.Append("PageExt memory pool ").Append(Describe()).Append(" disposed with ").Append(rented - returned)
            .Append(" buffer(s) still rented, ").Append(returned).Append(" of ").Append(rented).Append(" returned\n");
        for (int i = 0; i < buffers.Count; i++)
        {
            report.Append("rented buffer ").Append(i + 1).Append(" of ").Append(buffers.Count).Append(": pfn ")
                .Append(buffers[i].Pfn).Append(" order ").Append(buffers[i].Order)
                .Append(" (").Append(buffers[i].SizeBytes).Append(" bytes)\n").Append(buffers[i].OwnerText);
        }

        LeakReport = new PoolLeakReport(Owner, rented, returned, buffers, report.ToString());
        PoolLog.Leak(_logger, LeakReport.Text);
    }

    public override string ToString() => $"PageExtMemoryPool {Describe()}: {ReturnedCount} of {RentedCount} returned";

    private string Describe() => Owner is null ? "(no owner)" : $"'{Owner}'";

    private void AppendOwner(StringBuilder text, Pfn pfn)
    {
        try
        {
            var owner = _machine.PageOwner;
            text.Append(owner.IsEnabled
                ? owner.DescribePage(pfn)
                : "page_owner is off: boot with page_owner=on to see who rented and returned it\n");
        }
        catch (ObjectDisposedException)
        {
            text.Append("the machine is disposed: no page_owner record\n");
        }
    }

    [DoesNotReturn]
    private void ThrowDisposed() => throw new ObjectDisposedException(GetType().FullName, $"PageExt memory pool {Describe()} is disposed: it rents no more buffers");

    [DoesNotReturn]
    private void ThrowOutOfPages(int order) =>
        throw new InsufficientMemoryException(
            $"PageExt memory pool {Describe()}: no free block of order {order} ({PageSize.Bytes << order} bytes) in the machine's "
            + $"{_machine.FreePagesTotal()} free pages; boot a larger machine (PageExtMemoryPoolOptions.MemoryBytes)");

    [DoesNotReturn]
    private static void ThrowTooLarge(int minBufferSize) =>
        throw new ArgumentOutOfRangeException(
            nameof(minBufferSize), minBufferSize, $"a PageExt memory pool rents -1 (one page) or 0 to {MaxBlockSize} bytes (2^MAX_PAGE_ORDER pages)");
}
