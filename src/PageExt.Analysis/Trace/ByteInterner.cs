using System.Runtime.InteropServices;

namespace PageExt.Analysis.Trace;

/// <summary>
/// Distinct byte strings (task names, gfp texts, whole stacks) stored once and named by a dense id,
/// so a tracked page holds three ints instead of three strings and a hit costs a hash and one compare,
/// never an allocation. Grows with the distinct values, never with the number of events.
/// </summary>
internal sealed class ByteInterner
{
    private readonly Dictionary<int, int> _firstByHash = [];
    private readonly List<Entry> _entries = [];
    private byte[] _bytes = new byte[4096];
    private int _used;

    public int Count => _entries.Count;

    /// <summary>Bytes held by the stored strings.</summary>
    public long Bytes => _used;

    public int Intern(ReadOnlySpan<byte> value)
    {
        var hasher = default(HashCode);
        hasher.AddBytes(value);
        int hash = hasher.ToHashCode();
        ref int head = ref CollectionsMarshal.GetValueRefOrAddDefault(_firstByHash, hash, out bool exists);
        if (exists)
        {
            for (int id = head; id >= 0; id = _entries[id].Next)
            {
                if (Get(id).SequenceEqual(value))
                {
                    return id;
                }
            }
        }

        if (_used + value.Length > _bytes.Length)
        {
            Array.Resize(ref _bytes, Math.Max(_bytes.Length * 2, _used + value.Length));
        }

        value.CopyTo(_bytes.AsSpan(_used));
        int added = _entries.Count;
        _entries.Add(new Entry(_used, value.Length, exists ? head : -1));
        _used += value.Length;
        head = added;
        return added;
    }

    public ReadOnlySpan<byte> Get(int id)
    {
        var entry = _entries[id];
        return _bytes.AsSpan(entry.Offset, entry.Length);
    }

    private readonly record struct Entry(int Offset, int Length, int Next);
}
