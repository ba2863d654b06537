namespace PageExt.Analysis.Sort;

/// <summary>
/// An insertion-ordered hash table of <see cref="SortGroup"/>s keyed by byte strings. Insertion order
/// is input order, which is what decides a group's surviving record and, through the stable sorts,
/// the order of ties.
/// </summary>
/// <remarks>Concurrency model: single-threaded; each chunk has its own table, merged into the global one on one thread.</remarks>
internal sealed class GroupTable
{
    private int[] _buckets;
    private SortGroup[] _groups;
    private int _count;

    public GroupTable(int segmentBytes, int initialCapacity = 256)
    {
        Arena = new ByteArena(segmentBytes);
        _buckets = OpenAddressing.NewBuckets(initialCapacity);
        _groups = new SortGroup[initialCapacity];
    }

    public ByteArena Arena { get; }

    public int Count => _count;

    public Span<SortGroup> Groups => _groups.AsSpan(0, _count);

    /// <summary>Empties the table, keeping its memory.</summary>
    public void Reset()
    {
        Array.Clear(_buckets);
        _count = 0;
        Arena.Reset();
    }

    /// <summary>Finds the group with this key, or appends a new one whose key is copied into the arena.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public ref SortGroup FindOrAdd(ReadOnlySpan<byte> key, ulong hash, out bool added)
    {
        int mask = _buckets.Length - 1;
        int bucket = (int)hash & mask;
        while (true)
        {
            int entry = _buckets[bucket];
            if (entry == 0)
            {
                break;
            }

            ref var group = ref _groups[entry - 1];
            if (group.Hash == hash && Arena.Get(group.Key).SequenceEqual(key))
            {
                added = false;
                return ref group;
            }

            bucket = (bucket + 1) & mask;
        }

        if (_count == _groups.Length)
        {
            Array.Resize(ref _groups, _count * 2);
        }

        _groups[_count] = new SortGroup { Hash = hash, Key = Arena.Add(key) };
        _buckets[bucket] = ++_count;
        if (_count * 2 > _buckets.Length)
        {
            Grow();
        }

        added = true;
        return ref _groups[_count - 1];
    }

    private void Grow() => _buckets = OpenAddressing.Rebuild(_count, _buckets.Length * 2, i => _groups[i].Hash);
}
