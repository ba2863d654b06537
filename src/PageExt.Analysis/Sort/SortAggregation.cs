namespace PageExt.Analysis.Sort;

/// <summary>
/// The global group table, fed with chunk tables in input order. Because chunks arrive in order and
/// each chunk table is in first-seen order, a group's first record is the first one in the input,
/// exactly the record page_owner_sort's stable cull sort keeps.
/// </summary>
internal sealed class SortAggregation
{
    private readonly bool _textIsKey;
    private readonly List<SortedGroup> _spillPool = [];

    public SortAggregation(SortOptions options)
    {
        _textIsKey = options.Cull == CullKeys.None || options.Compat == CompatMode.Y2014;
        Blocks = new AdjacentMerge(options);
    }

    /// <summary>page_owner_sort's "loaded N" over every chunk merged so far; <see cref="Reset"/> keeps it.</summary>
    public AdjacentMerge Blocks { get; }

    public GroupTable Table { get; } = new(segmentBytes: 4 << 20, initialCapacity: 4096);

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public void Merge(SortChunkSink sink, long lineBase)
    {
        Blocks.Join(sink.Blocks);
        var source = sink.Table;
        foreach (ref var group in source.Groups)
        {
            ref var target = ref Table.FindOrAdd(source.Arena.Get(group.Key), group.Hash, out bool added);
            if (added)
            {
                var key = target.Key;
                target = group;
                target.Key = key;
                target.Text = _textIsKey ? key : Table.Arena.Add(source.Arena.Get(group.Text));
                target.Comm = Table.Arena.Add(source.Arena.Get(group.Comm));
                target.FirstLine = group.FirstLine + lineBase;
            }
            else
            {
                target.Count += group.Count;
                target.Pages += group.Pages;
            }
        }
    }

    /// <summary>Memory the table holds: its bytes and a share per group for the group and its slot.</summary>
    public long EstimatedBytes => Table.Arena.BytesUsed + (Table.Count * (long)ExternalGroupSort.GroupOverheadBytes);

    /// <summary>Forgets every group (after they were spilled), keeping the table's memory.</summary>
    public void Reset() => Table.Reset();

    /// <summary>The groups in first-seen order, backed by the table's memory until <see cref="Reset"/>.</summary>
    public SortedGroup[] ToGroups()
    {
        var groups = new SortedGroup[Table.Count];
        var span = Table.Groups;
        for (int i = 0; i < groups.Length; i++)
        {
            ref var g = ref span[i];
            groups[i] = Fill(new SortedGroup(Table.Arena.GetMemory(g.Text), Table.Arena.GetMemory(g.Comm)), ref g);
        }

        return groups;
    }

    /// <summary>
    /// Like <see cref="ToGroups"/>, but reuses the group objects of the previous call: for a run
    /// that is spilled and forgotten before the next call. Fresh objects for every run live
    /// through the run's sort and so reach gen 2, where they piled up to several times the memory
    /// budget before a full collection.
    /// </summary>
    public SortedGroup[] ToSpilledGroups()
    {
        var span = Table.Groups;
        while (_spillPool.Count < span.Length)
        {
            _spillPool.Add(new SortedGroup(ReadOnlyMemory<byte>.Empty, ReadOnlyMemory<byte>.Empty));
        }

        var groups = new SortedGroup[span.Length];
        for (int i = 0; i < groups.Length; i++)
        {
            ref var g = ref span[i];
            var group = _spillPool[i];
            group.Bind(Table.Arena.GetMemory(g.Text), Table.Arena.GetMemory(g.Comm));
            groups[i] = Fill(group, ref g);
        }

        return groups;
    }

    private static SortedGroup Fill(SortedGroup group, ref SortGroup g)
    {
        group.Count = g.Count;
        group.Pages = g.Pages;
        group.Pid = g.Pid;
        group.Tgid = g.Tgid;
        group.Allocator = g.Allocator;
        group.TimestampNs = g.TimestampNs;
        group.FreeTimestampNs = g.FreeTimestampNs;
        group.FirstLine = g.FirstLine;
        return group;
    }
}
