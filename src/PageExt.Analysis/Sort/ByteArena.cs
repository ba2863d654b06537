namespace PageExt.Analysis.Sort;

/// <summary>Where a byte string lives in a <see cref="ByteArena"/>.</summary>
internal readonly record struct ArenaSlice(int Segment, int Offset, int Length);

/// <summary>
/// Append-only storage for group keys and texts: large segments instead of one array per string, so
/// a million groups cost a handful of GC objects. Strings never straddle segments.
/// </summary>
internal sealed class ByteArena
{
    private readonly List<byte[]> _segments = [];
    private readonly int _segmentBytes;
    private int _current = -1;
    private int _used;

    public ByteArena(int segmentBytes)
    {
        _segmentBytes = segmentBytes;
    }

    public long BytesUsed { get; private set; }

    public ArenaSlice Add(ReadOnlySpan<byte> data)
    {
        if (_current < 0 || _used + data.Length > _segments[_current].Length)
        {
            NextSegment(data.Length);
        }

        var slice = new ArenaSlice(_current, _used, data.Length);
        data.CopyTo(_segments[_current].AsSpan(_used));
        _used += data.Length;
        BytesUsed += data.Length;
        return slice;
    }

    /// <summary>Forgets every string but keeps the segments for reuse (chunk tables are recycled).</summary>
    public void Reset()
    {
        _current = -1;
        _used = 0;
        BytesUsed = 0;
    }

    private void NextSegment(int atLeast)
    {
        _current++;
        _used = 0;
        if (_current < _segments.Count && _segments[_current].Length >= atLeast)
        {
            return;
        }

        var segment = new byte[Math.Max(_segmentBytes, atLeast)];
        if (_current < _segments.Count)
        {
            _segments[_current] = segment;
        }
        else
        {
            _segments.Add(segment);
        }
    }

    public ReadOnlySpan<byte> Get(ArenaSlice slice) => _segments[slice.Segment].AsSpan(slice.Offset, slice.Length);

    public ReadOnlyMemory<byte> GetMemory(ArenaSlice slice) => _segments[slice.Segment].AsMemory(slice.Offset, slice.Length);
}
