using System.Runtime.CompilerServices;
using PageExt.Buddy;
using PageExt.Physical;

namespace PageExt.Workloads;

/// <summary>
/// The built-in workload: a deterministic imitation of a busy kernel's page traffic. Page cache
/// fills memory with movable order-0 pages, slab caches grow by unmovable and reclaimable
/// orders 0-3, transparent huge pages take movable order-9 compound blocks, and a network driver
/// refills atomic order-2 buffers; a share of everything is freed again in random order, so
/// unmovable allocations end up borrowing pageblocks and blocks become mixed.
/// <para>
/// Each kind of allocation has its own call site (a method that is never inlined), so that
/// page_owner records distinct, readable stacks for them.
/// </para>
/// </summary>
public sealed class DemoWorkload
{
    private readonly Machine _machine;
    private readonly Random _random;
    private readonly List<(Pfn Pfn, int Order)> _live = [];

    public DemoWorkload(Machine machine, int seed = 20141128)
    {
        _machine = machine;
        _random = new Random(seed);
    }

    /// <summary>Allocations made, failed, and blocks freed again.</summary>
    public (long Allocated, long Failed, long Freed) Counts { get; private set; }

    /// <summary>Blocks still allocated when the run ended (the caller may free them).</summary>
    public IReadOnlyList<(Pfn Pfn, int Order)> Live => _live;

    /// <summary>Run <paramref name="steps"/> operations, leaving about half of memory in use.</summary>
    public void Run(int steps = 60000)
    {
        long targetPages = _machine.Zones.Sum(z => z.ManagedPages) / 2;
        long livePages = 0;
        for (int step = 0; step < steps; step++)
        {
            if (_live.Count > 0 && (livePages > targetPages || _random.Next(100) < 35))
            {
                int i = _random.Next(_live.Count);
                var (pfn, order) = _live[i];
                _live[i] = _live[^1];
                _live.RemoveAt(_live.Count - 1);
                livePages -= 1L << order;
                FreeBlock(pfn, order);
                continue;
            }

            int dice = _random.Next(100);
            var (ok, got, gotOrder) = dice switch
            {
                < 55 => PageCacheReadahead(),
                < 75 => SlabGrow(_random.Next(4)),
                < 85 => SlabGrowReclaimable(_random.Next(2)),
                < 93 => NetRxRefill(),
                _ => ThpFault(),
            };
            if (ok)
            {
                _live.Add((got, gotOrder));
                livePages += 1L << gotOrder;
                Counts = Counts with { Allocated = Counts.Allocated + 1 };
            }
            else
            {
                Counts = Counts with { Failed = Counts.Failed + 1 };
            }
        }
    }

    /// <summary>Free every block the run still holds.</summary>
    public void FreeAll()
    {
        foreach (var (pfn, order) in _live)
        {
            FreeBlock(pfn, order);
        }

        _live.Clear();
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private (bool, Pfn, int) PageCacheReadahead() =>
        (_machine.TryAllocPages(GfpFlags.HighUserMovable | GfpFlags.NoWarn, 0, out var pfn), pfn, 0);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private (bool, Pfn, int) SlabGrow(int order) =>
        (_machine.TryAllocPages(GfpFlags.Kernel | GfpFlags.Comp | GfpFlags.NoWarn, order, out var pfn), pfn, order);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private (bool, Pfn, int) SlabGrowReclaimable(int order) =>
        (_machine.TryAllocPages(GfpFlags.Kernel | GfpFlags.Reclaimable | GfpFlags.Comp | GfpFlags.NoWarn, order, out var pfn), pfn, order);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private (bool, Pfn, int) NetRxRefill() =>
        (_machine.TryAllocPages(GfpFlags.Atomic | GfpFlags.Comp | GfpFlags.NoWarn, 2, out var pfn), pfn, 2);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private (bool, Pfn, int) ThpFault() =>
        (_machine.TryAllocPages(GfpFlags.TransHugeLight, 9, out var pfn), pfn, 9);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void FreeBlock(Pfn pfn, int order) => _machine.FreePages(pfn, order);
}
