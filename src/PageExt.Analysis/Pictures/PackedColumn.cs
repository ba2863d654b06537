namespace PageExt.Analysis.Pictures;

/// <summary>
/// A column of integers as the report embeds it: each value's difference from the one before,
/// zigzag-mapped and written as a LEB128 varint, the bytes in base64. The memory map's columns
/// (block numbers counting up by one, types and sizes repeating) shrink to one or two bytes a value,
/// where a JSON array costs one to eight characters and a comma, and decode in one pass in the page
/// without JSON.parse building an array of them. Exact for magnitudes up to 2^53, the page's integers.
/// </summary>
internal sealed class PackedColumn
{
    private readonly List<byte> _bytes = [];
    private long _previous;

    public int Count { get; private set; }

    public void Add(long value)
    {
        long delta = value - _previous;
        _previous = value;
        ulong zigzag = (ulong)((delta << 1) ^ (delta >> 63));
        while (zigzag >= 0x80)
        {
            _bytes.Add((byte)(zigzag | 0x80));
            zigzag >>= 7;
        }

        _bytes.Add((byte)zigzag);
        Count++;
    }

    public string ToBase64() => Convert.ToBase64String(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_bytes));
}
