using System.Diagnostics.Tracing;
using PageExt.Zones;

namespace PageExt.Metrics;

/// <summary>
/// The <c>PageExt</c> EventSource: EventCounters for <c>dotnet-counters</c> and EventPipe
/// clients, with no events of its own. EventCounters carry no tags, so each is a process total
/// (<see cref="PageExtMetrics"/> explains how it relates to the Meter): the rates are
/// IncrementingPollingCounters over <see cref="MachineRegistry.ProcessTotals"/>, free pages a
/// PollingCounter per node and zone any machine has populated, named like
/// <c>free-pages-node0-dma32</c>.
/// <para>
/// Lifecycle: created with the first machine's boot, never disposed. Counters are created when a
/// listener first enables the source (the pattern EventCounters document, so an unobserved
/// process pays nothing); a zone counter is added when a machine with a new node or zone boots.
/// </para>
/// </summary>
[EventSource(Name = PageExtMetrics.Name)]
internal sealed class PageExtEventSource : EventSource
{
    public static readonly PageExtEventSource Log = new();

    private readonly Lock _lock = new();
    private readonly List<DiagnosticCounter> _counters = [];
    private readonly HashSet<(int Node, ZoneType Type)> _zones = [];
    private bool _enabled;

    private PageExtEventSource()
    {
    }

    /// <summary>Make sure every populated zone of a machine that just booted has its free-pages counter, once enabled.</summary>
    [NonEvent]
    public void AddZones(Zone[] zones)
    {
        lock (_lock)
        {
            foreach (var zone in zones)
            {
                if (zone.IsPopulated)
                {
                    _zones.Add((zone.Node, zone.Type));
                }
            }

            if (_enabled)
            {
                CreateZoneCountersLocked();
            }
        }
    }

    protected override void OnEventCommand(EventCommandEventArgs command)
    {
        if (command.Command != EventCommand.Enable)
        {
            return;
        }

        lock (_lock)
        {
            if (!_enabled)
            {
                _enabled = true;
                CreateCountersLocked();
            }

            CreateZoneCountersLocked();
        }
    }

    [NonEvent]
    private void CreateCountersLocked()
    {
        _counters.Add(new PollingCounter("machines", this, () => MachineRegistry.Live().Count) { DisplayName = "Machines booted and not disposed" });
        Rate("page-allocations", "Page allocations", "allocations", static t => t.AllocCalls);
        Rate("page-frees", "Page frees", "frees", static t => t.FreeCalls);
        Rate("pgalloc", "Pages allocated (pgalloc)", "pages", static t => t.PgAlloc);
        Rate("pgfree", "Pages freed (pgfree)", "pages", static t => t.PgFree);
        Rate("page-allocation-failures", "Failed page allocations", "allocations", static t => t.AllocFailures);
        _counters.Add(new PollingCounter("stack-depot-stacks", this, () => SumDepots(static s => s.Records))
        {
            DisplayName = "page_owner stack depot records",
        });
        _counters.Add(new PollingCounter("stack-depot-bytes", this, () => SumDepots(static s => s.Bytes))
        {
            DisplayName = "page_owner stack depot bytes",
            DisplayUnits = "B",
        });
        Rate("bad-page-reports", "Bad-page reports", "reports", static t => t.BadPageReports);
        Rate("poison-corruptions", "page_poison corruptions", "pages", static t => t.PoisonCorruptions);
    }

    [NonEvent]
    private void Rate(string name, string displayName, string units, Func<MachineTotals, long> read) =>
        _counters.Add(new IncrementingPollingCounter(name, this, () => read(MachineRegistry.ProcessTotals()))
        {
            DisplayName = displayName,
            DisplayUnits = units,
            DisplayRateTimeScale = TimeSpan.FromSeconds(1),
        });

    [NonEvent]
    private void CreateZoneCountersLocked()
    {
        foreach (var (node, type) in _zones)
        {
            string name = ZoneCounterName(node, type);
            if (_counters.Exists(c => c.Name == name))
            {
                continue;
            }

            _counters.Add(new PollingCounter(name, this, () => SumFreePages(node, type))
            {
                DisplayName = $"Free pages, node {node} zone {ZoneTypes.Name(type)}",
                DisplayUnits = "pages",
            });
        }
    }

    /// <summary>free-pages-node&lt;n&gt;-&lt;zone&gt;, lower case, as EventCounter names are.</summary>
    internal static string ZoneCounterName(int node, ZoneType type) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"free-pages-node{node}-{ZoneTypes.Name(type).ToLowerInvariant()}");

    private static double SumFreePages(int node, ZoneType type)
    {
        long free = 0;
        foreach (var counters in MachineRegistry.Live())
        {
            foreach (var zone in counters.Zones)
            {
                if (zone.Node == node && zone.Type == type)
                {
                    free += zone.FreePages;
                }
            }
        }

        return free;
    }

    private static double SumDepots(Func<Stacks.StackDepotStats, long> read)
    {
        long sum = 0;
        foreach (var counters in MachineRegistry.Live())
        {
            if (counters.Depot is { } stats)
            {
                sum += read(stats);
            }
        }

        return sum;
    }
}
