namespace PageExt.Analysis.Sort;

/// <summary>
/// page_owner_sort's two stable sorts when the groups do not fit in the memory budget (-a gives
/// every record its own group): sorted runs are spilled to temporary files and merged.
/// </summary>
/// <remarks>
/// The in-memory sorter replays glibc's merge sort, whose outcome with compare_ts (which never
/// returns 0) depends on the merge tree. The external sort cannot replay that tree, so it sorts by
/// the total order the tree produces (<see cref="SortComparers.Total"/>): ties broken by the
/// position in the cull order, reversed where compare_ts makes the merge take the later element.
/// <para>
/// One pass suffices when every sort key is a function of the cull key (e.g. -a: the key is the
/// whole text, which holds the timestamp): runs are sorted in the final order and the records of a
/// group meet side by side in the merge. Otherwise (sorting by count or pages, known only once a
/// group is complete) a first pass merges runs in cull order, which completes the groups and
/// ranks them, and a second pass sorts the ranked groups.
/// </para>
/// <para>
/// Both orders are total only while page_owner_sort's int differences do not wrap. A dump whose
/// pids, tgids, counts or pages lie 2^31 apart (possible only with out-of-range values, which are
/// reported) makes the comparators inconsistent; the sort then reads the spilled groups back and
/// runs the in-memory algorithm, which is exact but no longer bounded.
/// </para>
/// Lifecycle: <see cref="Spill"/> while reading, <see cref="Finish"/> once, then Dispose, which
/// closes (and so deletes) the temporary files.
/// </remarks>
internal sealed class ExternalGroupSort : IDisposable
{
    /// <summary>Memory per buffered group besides its bytes: the object, its slot, its slab share.</summary>
    public const int GroupOverheadBytes = 160;

    private readonly SortOptions _options;
    private readonly Comparison<SortedGroup> _cull;
    private readonly Comparison<SortedGroup> _runOrder;
    private readonly List<GroupRun> _runs = [];
    private readonly List<GroupRun> _rankedRuns = [];
    private readonly StackDictionary _stacks;
    private SpillFile? _cullFile;
    private SpillFile? _rankedFile;
    private IntRange _pid;
    private IntRange _tgid;
    private IntRange _allocator;
    private int _disposed;

    public ExternalGroupSort(SortOptions options)
    {
        _options = options;
        _stacks = new StackDictionary(Math.Max(1 << 20, options.MemoryBudgetBytes / 4));
        _cull = SortComparers.Cull(options);
        SinglePass = SortFollowsKey(options);
        var inCullOrder = SinglePass ? SortComparers.Total(options.Sort, _cull) : _cull;
        _runOrder = (a, b) =>
        {
            int c = inCullOrder(a, b);
            return c != 0 ? c : a.FirstLine.CompareTo(b.FirstLine);
        };
    }

    public bool SinglePass { get; }

    public bool HasSpilled => _runs.Count > 0;

    /// <summary>Runs written so far, by both passes.</summary>
    public int RunCount => _runs.Count + _rankedRuns.Count;

    /// <summary>Records in the spilled groups (page_owner_sort's "loaded N").</summary>
    public long Loaded { get; private set; }

    /// <summary>Groups produced by <see cref="Finish"/>, complete once it has been enumerated.</summary>
    public int Groups { get; private set; }

    /// <summary>Whether page_owner_sort's sort keys can be computed per group before groups are complete.</summary>
    public static bool SortFollowsKey(SortOptions options)
    {
        if (options.Compat == CompatMode.Y2014)
        {
            return false;
        }

        var cull = options.Cull;
        bool whole = cull == CullKeys.None;
        foreach (var term in options.Sort)
        {
            bool follows = term.Key switch
            {
                SortKey.Pid => whole || (cull & CullKeys.Pid) != 0,
                SortKey.Tgid => whole || (cull & CullKeys.Tgid) != 0,
                SortKey.Comm => whole || (cull & CullKeys.Comm) != 0,
                SortKey.StackTrace => whole || (cull & CullKeys.StackTrace) != 0,
                SortKey.Text => whole,
                SortKey.Allocator => (cull & CullKeys.Allocator) != 0,

                // The text holds the stamps unless the ts digits were cut out of it.
                SortKey.AllocTimestamp => whole && !options.StripTimestamp,
                SortKey.FreeTimestamp => whole,
                _ => false,
            };
            if (!follows)
            {
                return false;
            }

            if (term.Key is SortKey.FreeTimestamp || (term.Key is SortKey.AllocTimestamp && !term.ThreeWayTimestamp))
            {
                // A comparator that never returns 0 ends the comparison: later keys are never read.
                break;
            }
        }

        return true;
    }

    public static long EstimateBytes(SortedGroup group) => group.Text.Length + group.Comm.Length + GroupOverheadBytes;

    /// <summary>Sorts <paramref name="groups"/> (the aggregation of one stretch of input) into a run.</summary>
    public void Spill(SortedGroup[] groups)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        foreach (var group in groups)
        {
            Loaded += group.Count;
            _pid.Add(group.Pid);
            _tgid.Add(group.Tgid);
            _allocator.Add(group.Allocator);
        }

        GlibcMergeSort.Sort(groups, _runOrder);
        _cullFile ??= new SpillFile(_options.SpillDirectory);
        var run = new GroupRun(_cullFile, _stacks);
        _runs.Add(run);
        foreach (var group in groups)
        {
            run.Write(group);
        }

        run.Complete();
    }

    /// <summary>The groups in report order.</summary>
    public IEnumerable<SortedGroup> Finish()
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        if (_pid.Wraps || _tgid.Wraps || _allocator.Wraps)
        {
            return Counted(InMemoryFromRuns());
        }

        var groups = Combine(RunMerger.Merge(_runs, _runOrder));
        return Counted(SinglePass ? groups : SecondPass(groups));
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _cullFile?.Dispose();
        _rankedFile?.Dispose();
    }

    private IEnumerable<SortedGroup> Counted(IEnumerable<SortedGroup> groups)
    {
        foreach (var group in groups)
        {
            Groups++;
            yield return group;
        }
    }

    /// <summary>Adds up the pieces of a group that several runs hold; they arrive side by side, first one first.</summary>
    private IEnumerable<SortedGroup> Combine(IEnumerable<SortedGroup> merged)
    {
        SortedGroup? current = null;
        foreach (var group in merged)
        {
            if (current is not null && _cull(current, group) == 0)
            {
                current.Count += group.Count;
                current.Pages += group.Pages;
                continue;
            }

            if (current is not null)
            {
                yield return current;
            }

            current = group;
        }

        if (current is not null)
        {
            yield return current;
        }
    }

    /// <summary>Sorts the complete groups, which arrive in cull order, by the sort condition.</summary>
    private IEnumerable<SortedGroup> SecondPass(IEnumerable<SortedGroup> inCullOrder)
    {
        var order = SortComparers.Total(_options.Sort, static (a, b) => a.Rank.CompareTo(b.Rank));
        var buffer = new List<SortedGroup>();
        long bytes = 0;
        long rank = 0;
        IntRange count = default, pages = default;
        foreach (var group in inCullOrder)
        {
            group.Rank = rank++;
            count.Add(group.CountAsInt);
            pages.Add(group.PagesAsInt);
            buffer.Add(group);
            bytes += EstimateBytes(group);
            if (bytes > _options.MemoryBudgetBytes)
            {
                SpillRanked(buffer, order);
                bytes = 0;
            }
        }

        if (_rankedRuns.Count == 0 || count.Wraps || pages.Wraps)
        {
            // Everything fits (or the comparator is not an order): glibc's merge sort over the whole
            // cull order, exactly as in memory.
            var all = ReadBack(_rankedRuns);
            all.AddRange(buffer);
            all.Sort(static (a, b) => a.Rank.CompareTo(b.Rank));
            var array = all.ToArray();
            GlibcMergeSort.Sort(array, SortComparers.Sort(_options.Sort));
            foreach (var group in array)
            {
                yield return group;
            }

            yield break;
        }

        SpillRanked(buffer, order);
        foreach (var group in RunMerger.Merge(_rankedRuns, order))
        {
            yield return group;
        }
    }

    private void SpillRanked(List<SortedGroup> buffer, Comparison<SortedGroup> order)
    {
        var array = buffer.ToArray();
        buffer.Clear();
        GlibcMergeSort.Sort(array, order);
        _rankedFile ??= new SpillFile(_options.SpillDirectory);
        var run = new GroupRun(_rankedFile, _stacks);
        _rankedRuns.Add(run);
        foreach (var group in array)
        {
            run.Write(group);
        }

        run.Complete();
    }

    /// <summary>The in-memory algorithm over the spilled groups: first-seen order, both glibc sorts.</summary>
    private SortedGroup[] InMemoryFromRuns()
    {
        var all = ReadBack(_runs);
        all.Sort(static (a, b) => a.FirstLine.CompareTo(b.FirstLine));
        var firstSeen = new Dictionary<SortedGroup, SortedGroup>(new CullKeyEquality(_options.Cull, _options.Compat, _cull));
        var ordered = new List<SortedGroup>();
        foreach (var group in all)
        {
            if (firstSeen.TryGetValue(group, out var first))
            {
                first.Count += group.Count;
                first.Pages += group.Pages;
                continue;
            }

            firstSeen.Add(group, group);
            ordered.Add(group);
        }

        var array = ordered.ToArray();
        GlibcMergeSort.Sort(array, _cull);
        GlibcMergeSort.Sort(array, SortComparers.Sort(_options.Sort));
        return array;
    }

    private static List<SortedGroup> ReadBack(List<GroupRun> runs)
    {
        var all = new List<SortedGroup>();
        foreach (var run in runs)
        {
            var reader = run.OpenReader(1 << 16);
            while (reader.Next() is { } group)
            {
                all.Add(group);
            }
        }

        return all;
    }
}
