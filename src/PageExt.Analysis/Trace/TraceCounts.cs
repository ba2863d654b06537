using System.Globalization;

namespace PageExt.Analysis.Trace;

/// <summary>
/// What one replay saw, for the summary on stderr and for tests. The anomalies (a free of a page
/// nobody was seen allocating, an allocation over a page still held) are normal in a trace that
/// began after boot or lost events, so they are counted and named by their first line, never fatal.
/// </summary>
internal sealed class TraceCounts
{
    private const int FirstLineCount = 5;

    public long Lines { get; set; }

    public long Bytes { get; set; }

    /// <summary>kmem page events read, by kind (indexed by <see cref="KmemEventKind"/>).</summary>
    public long[] Events { get; } = new long[Enum.GetValues<KmemEventKind>().Length];

    public long KmemEvents => Events.Sum() - Events[(int)KmemEventKind.Other];

    public long OtherEvents => Events[(int)KmemEventKind.Other];

    public long FailedAllocations { get; set; }

    public long Stacks { get; set; }

    /// <summary>Events after --at, read but not applied.</summary>
    public long AfterAt { get; set; }

    /// <summary>Events whose timestamp is earlier than the one before (CPUs' local clocks differ slightly).</summary>
    public long TimestampSteps { get; set; }

    /// <summary>Events the ring buffer says it lost; -1 entries (count unknown) add one each.</summary>
    public long LostEvents { get; set; }

    public long LostEventLines { get; set; }

    /// <summary>"entries-written" minus "entries-in-buffer" of ftrace's header: events overwritten before the read.</summary>
    public long OverwrittenEvents { get; set; }

    /// <summary>mm_page_free_batched of a page already free: kernels whose list free goes through
    /// free_pages_prepare trace mm_page_free for the same page first (a 5.x stack shows
    /// free_pcp_prepare under free_unref_page_list).</summary>
    public long BatchedFreesOfFreePages { get; set; }

    /// <summary>Blocks that were split to order-0 pages because part of them was freed (split_page, THP split).</summary>
    public long SplitBlocks { get; set; }

    /// <summary>Allocations keyed by page= because the line had no pfn= (see the format page).</summary>
    public long PointerKeyedAllocations { get; set; }

    public Anomaly UntrackedFrees { get; } = new("free of a page not seen allocated");

    public Anomaly AllocationsOverTrackedPages { get; } = new("allocation over pages still held (their free was not traced)");

    public Anomaly StacksWithoutEvent { get; } = new("stack with no event before it on its CPU");

    public Anomaly Untrackable { get; } = new("page event with neither pfn= nor a usable page=");

    public IEnumerable<Anomaly> Anomalies => [UntrackedFrees, AllocationsOverTrackedPages, StacksWithoutEvent, Untrackable];

    /// <summary>One kind of anomaly: how many, and the line numbers of the first few.</summary>
    internal sealed class Anomaly(string description)
    {
        private readonly List<long> _first = [];

        public string Description { get; } = description;

        public long Count { get; private set; }

        public IReadOnlyList<long> FirstLines => _first;

        public void Add(long line)
        {
            if (++Count <= FirstLineCount)
            {
                _first.Add(line);
            }
        }

        public override string ToString() =>
            string.Create(CultureInfo.InvariantCulture, $"{Count} {Description} (first at line {string.Join(", ", _first)}{(Count > _first.Count ? ", ..." : "")})");
    }
}
