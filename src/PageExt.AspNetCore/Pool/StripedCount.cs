using System.Numerics;

namespace PageExt.AspNetCore;

/// <summary>
/// A total that threads on every core add to at once: one slot per processor, each on a cache
/// line of its own, summed on read (the kernel's percpu_counter, without the batching). An add is
/// an atomic increment of the current processor's slot, which stays in that core's cache; one
/// shared total would move between the cores on every add.
/// <para>
/// Concurrency model: <see cref="Increment"/> from any thread (a thread moved to another processor
/// mid-add still adds atomically, to a slot another core may share for a moment); <see cref="Sum"/>
/// reads each slot once, so it is exact when no add runs, and otherwise counts each add made
/// before it began.
/// </para>
/// </summary>
internal sealed class StripedCount
{
    // 8 longs = 64 bytes between slots, so no two share a cache line; slot i is at (i + 1) * 8,
    // off the line of the array's header, which every bounds check reads.
    private const int SlotLongs = 8;

    private readonly long[] _slots;
    private readonly int _mask;

    public StripedCount()
    {
        int slots = (int)BitOperations.RoundUpToPowerOf2((uint)Environment.ProcessorCount);
        _mask = slots - 1;
        _slots = new long[(slots + 1) * SlotLongs];
    }

    public void Increment() => Interlocked.Increment(ref _slots[((Thread.GetCurrentProcessorId() & _mask) + 1) * SlotLongs]);

    public long Sum()
    {
        long sum = 0;
        for (int slot = 1; slot <= _mask + 1; slot++)
        {
            sum += Volatile.Read(ref _slots[slot * SlotLongs]);
        }

        return sum;
    }
}
