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
    private int _used;

    public ByteArena(int segmentBytes)
    {
        _segmentBytes = segmentBytes;
    }

    public long BytesUsed { get; private set; }

    public ArenaSlice Add(ReadOnlySpan<byte> data)
    {
        if (_segments.Count == 0 || _used + data.Length > _segments[^1].Length)
        {
            _segments.Add(new byte[Math.Max(_segmentBytes, data.Length)]);
            _used = 0;
        }

        var slice = new ArenaSlice(_segments.Count - 1, _used, data.Length);
        data.CopyTo(_segments[^1].AsSpan(_used));
        _used += data.Length;
        BytesUsed += data.Length;
        return slice;
    }

    public ReadOnlySpan<byte> Get(ArenaSlice slice) => _segments[slice.Segment].AsSpan(slice.Offset, slice.Length);

    public ReadOnlyMemory<byte> GetMemory(ArenaSlice slice) => _segments[slice.Segment].AsMemory(slice.Offset, slice.Length);
}
