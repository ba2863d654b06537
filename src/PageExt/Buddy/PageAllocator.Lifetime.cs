using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using PageExt.Errors;

namespace PageExt.Buddy;

/// <summary>
/// The allocator's lifetime: how an operation keeps the machine's memory mapped while it runs, and
/// how shutdown waits for every operation to finish before the memory goes away.
/// <para>
/// Two kinds of operation touch the machine's native memory. The hot ones (a small allocation or
/// free served by the calling thread's per-CPU lists) run inside the thread's cache window, the
/// <see cref="ThreadPageCache.PageSet.InUse"/> / <see cref="ThreadPageCache.PageSet.DrainRequested"/>
/// handshake that drains already use: shutdown takes every cache for good and waits for each owner
/// to leave its window, so the hot paths pay nothing for it. Everything else (the zone-lock paths,
/// queries, views, hotplug, the invariant walker) runs inside an <see cref="OperationScope"/>: an
/// interlocked count of operations in flight, then a check of <see cref="_shutdown"/>. Shutdown sets
/// the flag, then waits for the count to reach zero; the interlocked increment and the shutdown's
/// full fence order the two sides (Dekker), so either the operation sees the flag and throws
/// <see cref="ObjectDisposedException"/>, or shutdown sees the operation and waits for it.
/// </para>
/// <para>
/// An operation that began before shutdown finishes normally; one that begins after it throws
/// ObjectDisposedException. A span or address obtained before shutdown is the caller's to stop
/// using: the allocator cannot see it.
/// </para>
/// </summary>
public sealed unsafe partial class PageAllocator
{
    private volatile bool _shutdown;

    /// <summary>Operations this thread is inside, on any machine: shutdown from inside one would wait for itself.</summary>
    [ThreadStatic]
    private static int t_operationDepth;

    /// <summary>Operations in flight outside a cache window (padded: every slow path touches it).</summary>
    private PaddedCount _operations;

    /// <summary>True once the machine has been disposed.</summary>
    internal bool IsShutDown => _shutdown;

    /// <summary>
    /// Enter an operation that touches the machine's memory outside a cache window; dispose the
    /// scope to leave. Throws <see cref="ObjectDisposedException"/> once the machine is disposed.
    /// </summary>
    internal OperationScope EnterOperation()
    {
        Interlocked.Increment(ref _operations.Value);
        if (_shutdown)
        {
            Interlocked.Decrement(ref _operations.Value);
            ThrowDisposed();
        }

        t_operationDepth++;
        return new OperationScope(this);
    }

    /// <summary>Throws <see cref="ObjectDisposedException"/> if the machine is disposed (for state that outlives the memory).</summary>
    internal void ThrowIfShutDown()
    {
        if (_shutdown)
        {
            ThrowDisposed();
        }
    }

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    internal static void ThrowDisposed() =>
        throw new ObjectDisposedException(nameof(Machine), "the machine has been disposed; its memory is gone");

    /// <summary>
    /// The machine is going away. Mark it dead, wait for every operation in flight to leave, then
    /// take every per-CPU cache from its owner for good (waiting for the owner to leave its
    /// window) and unmark it, so an owner that calls again is told the machine is gone. When it
    /// returns true no thread is touching the machine's memory and none can start to, and the
    /// caller may free it. Idempotent: only the first caller does the work and gets true; later
    /// ones return false at once.
    /// </summary>
    internal bool Shutdown()
    {
        if (t_operationDepth != 0)
        {
            // A BadPage or log handler disposing the machine that called it: waiting would never end.
            ThrowHelper.ThrowInvalidOperation("a machine cannot be disposed from inside one of its own operations (a BadPage or log handler); dispose it after the operation returns");
        }

        lock (_cachesLock)
        {
            // Under the registry lock: a thread registering its first cache either is seen by the
            // freeze below or sees the flag and throws.
            if (_shutdown)
            {
                return false;
            }

            _shutdown = true;
        }

        Interlocked.MemoryBarrier();
        var spin = default(SpinWait);
        while (Volatile.Read(ref _operations.Value) != 0)
        {
            spin.SpinOnce();
        }

        lock (_drainLock)
        {
            _maxPfn = 0;
            _fastZoneStorage.AsSpan().Fill(-1);

            // Never thawed: an owner that opens its window from now on sees the request and
            // leaves for the slow path, where the operation scope throws.
            foreach (var cache in FreezeCaches())
            {
                Volatile.Write(ref cache.Set->AllocatorId, 0);
            }
        }

        var set = t_pageset;
        if (set is not null && set->AllocatorId == 0)
        {
            t_pageset = null;
        }

        return true;
    }

    /// <summary>A held operation; disposing it leaves.</summary>
    internal readonly ref struct OperationScope(PageAllocator allocator)
    {
        public void Dispose()
        {
            t_operationDepth--;
            Interlocked.Decrement(ref allocator._operations.Value);
        }
    }

    /// <summary>A counter alone on its cache line, so that counting does not slow the fields beside it.</summary>
    [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Explicit, Size = 128)]
    private struct PaddedCount
    {
        [System.Runtime.InteropServices.FieldOffset(64)]
        public long Value;
    }
}
