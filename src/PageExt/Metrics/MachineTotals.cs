namespace PageExt.Metrics;

/// <summary>The counters of one machine, or of many summed: every one only grows while a machine lives.</summary>
internal struct MachineTotals
{
    public long AllocCalls;
    public long FreeCalls;
    public long PgAlloc;
    public long PgFree;
    public long AllocFailures;
    public long BadPageReports;
    public long PoisonCorruptions;

    public void Add(in MachineTotals other)
    {
        AllocCalls += other.AllocCalls;
        FreeCalls += other.FreeCalls;
        PgAlloc += other.PgAlloc;
        PgFree += other.PgFree;
        AllocFailures += other.AllocFailures;
        BadPageReports += other.BadPageReports;
        PoisonCorruptions += other.PoisonCorruptions;
    }
}
