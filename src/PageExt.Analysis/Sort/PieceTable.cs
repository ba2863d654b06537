namespace PageExt.Analysis.Sort;

/// <summary>
/// Byte strings numbered in the order they were first seen, each stored once: the pieces (head up to
/// the ts digits, and the rest) that a dump's records are made of. A dump of a million records holds
/// a few thousand distinct pieces, so a record costs two numbers instead of its text.
/// </summary>
/// <remarks>Concurrency model: single-threaded; each chunk has its own table, renumbered into the global one on one thread.</remarks>
internal sealed class PieceTable
{
    /// <summary>Memory per piece besides its bytes: its slot in the entries and the buckets.</summary>
    public const int PieceOverheadBytes = 32;

    private int[] _buckets;
    private Entry[] _entries;
    private int _count;

    public PieceTable(int segmentBytes, int initialCapacity = 256)
    {
        Arena = new ByteArena(segmentBytes);
        _buckets = OpenAddressing.NewBuckets(initialCapacity);
        _entries = new Entry[initialCapacity];
    }

    public ByteArena Arena { get; }

    public int Count => _count;

    public long EstimatedBytes => Arena.BytesUsed + (_count * (long)PieceOverheadBytes);

    public ReadOnlySpan<byte> this[int id] => Arena.Get(_entries[id].Slice);

    public ulong HashOf(int id) => _entries[id].Hash;

    /// <summary>Empties the table, keeping its memory.</summary>
    public void Reset()
    {
        Array.Clear(_buckets);
        _count = 0;
        Arena.Reset();
    }

    /// <summary>The number of <paramref name="piece"/>, added when it is new.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public int Intern(ReadOnlySpan<byte> piece, ulong hash)
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

            ref var existing = ref _entries[entry - 1];
            if (existing.Hash == hash && Arena.Get(existing.Slice).SequenceEqual(piece))
            {
                return entry - 1;
            }

            bucket = (bucket + 1) & mask;
        }

        if (_count == _entries.Length)
        {
            Array.Resize(ref _entries, _count * 2);
        }

        _entries[_count] = new Entry(hash, Arena.Add(piece));
        _buckets[bucket] = ++_count;
        if (_count * 2 > _buckets.Length)
        {
            Grow();
        }

        return _count - 1;
    }

    private void Grow() => _buckets = OpenAddressing.Rebuild(_count, _buckets.Length * 2, i => _entries[i].Hash);

    private readonly record struct Entry(ulong Hash, ArenaSlice Slice);
}
