namespace PageExt.Analysis.Sort;

/// <summary>
/// The stack parts of spilled texts, stored once. A dump has a few hundred to a few thousand
/// distinct stacks and a million records; a spilled group then costs its first line and a number
/// instead of its whole text, which cuts the temporary files (and their I/O) several times over.
/// Bounded: once <see cref="_capacityBytes"/> are held, new stacks are spilled inline.
/// </summary>
/// <remarks>Concurrency model: single-threaded, owned by one <see cref="ExternalGroupSort"/>.</remarks>
internal sealed class StackDictionary
{
    private readonly Dictionary<ulong, int> _ids = [];
    private readonly List<ArenaSlice> _stacks = [];
    private readonly ByteArena _arena = new(segmentBytes: 1 << 20);
    private readonly long _capacityBytes;

    public StackDictionary(long capacityBytes)
    {
        _capacityBytes = capacityBytes;
    }

    /// <returns>The stack's id, or -1 when it is not held (full, or a hash shared with another stack).</returns>
    public int Intern(ReadOnlySpan<byte> stack)
    {
        ulong hash = ByteHash.Hash(stack);
        if (_ids.TryGetValue(hash, out int id))
        {
            return _arena.Get(_stacks[id]).SequenceEqual(stack) ? id : -1;
        }

        if (_arena.BytesUsed + stack.Length > _capacityBytes)
        {
            return -1;
        }

        id = _stacks.Count;
        _stacks.Add(_arena.Add(stack));
        _ids.Add(hash, id);
        return id;
    }

    public ReadOnlySpan<byte> Get(int id) => _arena.Get(_stacks[id]);
}
