namespace PageExt.Platform;

/// <summary>
/// A growing array of unmanaged values in one reserved stretch of address space, committed as it
/// fills and advised onto huge pages: a sort's million keys, appended chunk by chunk, then sorted in
/// place.
/// </summary>
/// <remarks>
/// Why not a managed array: one that grows by doubling copies its keys and touches twice their
/// memory, and segments cannot be sorted in place. A first touch is the cost that matters here: a
/// page fault costs microseconds on a virtual machine, more than the sort's own work per page.
/// Reserving costs only address space; a reservation outgrown moves once, to one twice as large.
/// <para>
/// Lifecycle: one owner appends, sorts and reads. <see cref="Dispose"/> is idempotent and safe against
/// other Dispose calls on any thread; after it every use throws <see cref="ObjectDisposedException"/>.
/// It must not race the owner's own use, whose spans point into the released range.
/// </para>
/// </remarks>
internal sealed unsafe class ReservedArray<T> : IDisposable
    where T : unmanaged
{
    /// <summary>Commit granularity: Windows commits explicitly; Linux faults pages in as they are touched.</summary>
    private const long CommitStepBytes = 2L << 20;

    private nint _base;
    private long _capacity;
    private long _committedBytes;
    private int _count;

    /// <param name="capacity">Values to reserve room for at first; more moves the array once.</param>
    public ReservedArray(long capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        _capacity = Math.Min(capacity, Array.MaxLength);
        _base = Reserve(_capacity);
    }

    public int Count => _count;

    /// <summary>The values appended so far; valid until the next append, <see cref="Clear"/> or <see cref="Dispose"/>.</summary>
    public Span<T> Span => new((void*)Base, _count);

    /// <summary>Room for <paramref name="length"/> more values at the end, counted as appended.</summary>
    public Span<T> Append(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        long needed = (long)_count + length;
        if (needed > Array.MaxLength)
        {
            throw new InvalidOperationException($"a reserved array holds at most {Array.MaxLength} values, not {needed}");
        }

        if (needed > _capacity)
        {
            Move(Math.Min(Math.Max(needed, _capacity * 2), Array.MaxLength));
        }

        Commit(needed * sizeof(T));
        var room = new Span<T>((byte*)Base + ((long)_count * sizeof(T)), length);
        _count = (int)needed;
        return room;
    }

    /// <summary>Empties the array and gives its memory back to the OS, keeping the reservation.</summary>
    public void Clear()
    {
        if (_committedBytes > 0)
        {
            VirtualMemory.Decommit(Base, (nuint)_committedBytes);
        }

        _committedBytes = 0;
        _count = 0;
    }

    public void Dispose()
    {
        nint address = Interlocked.Exchange(ref _base, 0);
        if (address != 0)
        {
            VirtualMemory.Release(address, (nuint)(_capacity * sizeof(T)));
        }
    }

    private nint Base => _base != 0 ? _base : throw new ObjectDisposedException(nameof(ReservedArray<T>));

    private static nint Reserve(long capacity)
    {
        nuint bytes = (nuint)(capacity * sizeof(T));
        nint address = VirtualMemory.Reserve(bytes);
        VirtualMemory.AdviseHugePages(address, bytes);
        return address;
    }

    private void Commit(long bytes)
    {
        if (bytes <= _committedBytes)
        {
            return;
        }

        long target = Math.Min(((bytes + CommitStepBytes - 1) / CommitStepBytes) * CommitStepBytes, _capacity * sizeof(T));
        VirtualMemory.Commit(Base + (nint)_committedBytes, (nuint)(target - _committedBytes));
        _committedBytes = target;
    }

    private void Move(long capacity)
    {
        nint old = Base;
        long oldCapacity = _capacity;
        nint address = Reserve(capacity);
        _base = address;
        _capacity = capacity;
        _committedBytes = 0;
        Commit((long)_count * sizeof(T));
        new Span<T>((void*)old, _count).CopyTo(new Span<T>((void*)address, _count));
        VirtualMemory.Release(old, (nuint)(oldCapacity * sizeof(T)));
    }
}
