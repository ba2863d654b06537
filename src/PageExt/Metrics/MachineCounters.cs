using PageExt.Buddy;
using PageExt.DebugPageAlloc;
using PageExt.Stacks;
using PageExt.VmStat;
using PageExt.Zones;

namespace PageExt.Metrics;

/// <summary>
/// What the Meter and the EventSource read of one machine: its allocator's events, its zones'
/// free pages, page_owner's stack depot and the bad-page and poison counts.
/// <para>
/// Lifecycle: the machine creates it at the end of boot and holds it; <see cref="MachineRegistry"/>
/// holds it only weakly, so a machine dropped without Dispose is still collected. Dispose retires
/// it: its last counts join the process totals and it leaves the registry, so the instruments
/// neither report a disposed machine nor keep it alive. It refers to the machine's parts, never to
/// the machine, so that the metrics sit below it.
/// </para>
/// <para>
/// Concurrency model: every read is a racy snapshot of counters other threads are changing, and
/// every read is safe after shutdown (the counters are managed memory), so an observation that
/// races with Dispose reads the last values rather than failing.
/// </para>
/// </summary>
internal sealed class MachineCounters
{
    private readonly PageAllocator _allocator;
    private readonly StackDepot? _depot;
    private readonly DebugPageAllocFeature? _debug;

    private MachineCounters(PageAllocator allocator, StackDepot? depot, DebugPageAllocFeature? debug)
    {
        _allocator = allocator;
        _depot = depot;
        _debug = debug;
        Id = allocator.Id;
        Zones = [.. allocator.Zones];
    }

    /// <summary>The machine's id, the value of every instrument's machine tag.</summary>
    public long Id { get; }

    /// <summary>Every zone slot of the machine, node by node; readers skip the unpopulated.</summary>
    public Zone[] Zones { get; }

    /// <summary>Create the counters of a machine that has just booted and publish them.</summary>
    public static MachineCounters Register(PageAllocator allocator, StackDepot? depot, DebugPageAllocFeature? debug)
    {
        var counters = new MachineCounters(allocator, depot, debug);
        MachineRegistry.Add(counters);
        return counters;
    }

    /// <summary>The machine is being disposed: fold its counts into the process totals and unpublish it. Idempotent.</summary>
    public void Retire() => MachineRegistry.Retire(this);

    public VmEvents Events => _allocator.ReadVmEvents();

    public long BadPageReports => _allocator.BadPageReports;

    public long PoisonCorruptions => _debug?.Corruptions ?? 0;

    /// <summary>page_owner's stack depot; null when page_owner is off.</summary>
    public StackDepotStats? Depot => _depot?.GetStats();

    public MachineTotals Totals()
    {
        var events = Events;
        return new MachineTotals
        {
            AllocCalls = events.AllocCalls,
            FreeCalls = events.FreeCalls,
            PgAlloc = events.PgAlloc,
            PgFree = events.PgFree,
            AllocFailures = events.AllocFailures,
            BadPageReports = BadPageReports,
            PoisonCorruptions = PoisonCorruptions,
        };
    }
}
