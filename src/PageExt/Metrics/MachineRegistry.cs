namespace PageExt.Metrics;

/// <summary>
/// The machines the process-wide instruments report: every machine booted and not yet disposed
/// (held weakly), and the summed last counts of those disposed, so that process totals never go
/// down when a machine goes away.
/// <para>
/// Concurrency model: one lock guards the list and the retired totals. <see cref="ProcessTotals"/>
/// reads the live machines under it, so a machine being retired is counted exactly once, either
/// live or retired. Lock order: this lock, then an allocator's cache registry lock; nothing takes
/// them the other way round.
/// </para>
/// </summary>
internal static class MachineRegistry
{
    private static readonly Lock s_lock = new();
    private static readonly List<WeakReference<MachineCounters>> s_live = [];
    private static MachineTotals s_retired;

    public static void Add(MachineCounters counters)
    {
        lock (s_lock)
        {
            s_live.RemoveAll(w => !w.TryGetTarget(out _));
            s_live.Add(new WeakReference<MachineCounters>(counters));
        }

        PageExtMeter.EnsureCreated();
        PageExtEventSource.Log.AddZones(counters.Zones);
    }

    public static void Retire(MachineCounters counters)
    {
        lock (s_lock)
        {
            if (s_live.RemoveAll(w => w.TryGetTarget(out var c) && c == counters) > 0)
            {
                var last = counters.Totals();
                s_retired.Add(in last);
            }
        }
    }

    /// <summary>The machines alive now, in boot order.</summary>
    public static List<MachineCounters> Live()
    {
        var live = new List<MachineCounters>();
        lock (s_lock)
        {
            foreach (var weak in s_live)
            {
                if (weak.TryGetTarget(out var counters))
                {
                    live.Add(counters);
                }
            }
        }

        return live;
    }

    /// <summary>Every machine's counts, the disposed ones' included: monotonic while the process runs.</summary>
    public static MachineTotals ProcessTotals()
    {
        lock (s_lock)
        {
            var totals = s_retired;
            foreach (var weak in s_live)
            {
                if (weak.TryGetTarget(out var counters))
                {
                    var one = counters.Totals();
                    totals.Add(in one);
                }
            }

            return totals;
        }
    }
}
