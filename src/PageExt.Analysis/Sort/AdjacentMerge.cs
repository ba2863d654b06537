namespace PageExt.Analysis.Sort;

/// <summary>
/// The count page_owner_sort prints as <c>loaded N</c>: its list_size after add_list. Up to 6.6
/// add_list merged a block byte-identical (same length, memcmp) to the previously stored one into
/// it, so N counts runs of identical adjacent stored texts, not records. The compared text is the
/// block as read: with its PFN line in the 3.19 tool, without it (read_block skips it) and with its
/// ts digits in 5.18-6.6, since those tools cut nothing. A record dropped by a filter is never
/// stored, so "previous" is the previous kept record. 6.7 removed the merge: there N counts every
/// kept record.
/// </summary>
/// <remarks>
/// Chunks are parsed in parallel, so each chunk keeps its first and last stored texts; joining the
/// chunks in input order takes one back when a chunk starts with the text the previous one ended on.
/// Only the 3.19 and 5.18-6.6 modes copy texts (one copy per stored block, none per merged one).
/// </remarks>
internal sealed class AdjacentMerge
{
    private readonly bool _merges;
    private byte[] _first = [];
    private byte[] _last = [];
    private int _firstLength = -1;
    private int _lastLength = -1;

    public AdjacentMerge(SortOptions options)
    {
        _merges = options.Compat != CompatMode.Modern;
    }

    /// <summary>Blocks stored so far: kept records less those merged into the block before them.</summary>
    public long Stored { get; private set; }

    private ReadOnlySpan<byte> First => _first.AsSpan(0, _firstLength);

    private ReadOnlySpan<byte> Last => _last.AsSpan(0, _lastLength);

    /// <summary>Adds one kept record, as the text add_list compares.</summary>
    public void Add(ReadOnlySpan<byte> text)
    {
        if (!_merges)
        {
            Stored++;
            return;
        }

        if (_lastLength >= 0 && text.SequenceEqual(Last))
        {
            return;
        }

        if (_firstLength < 0)
        {
            Copy(ref _first, ref _firstLength, text);
        }

        Copy(ref _last, ref _lastLength, text);
        Stored++;
    }

    /// <summary>Adds the next chunk's blocks, in input order.</summary>
    public void Join(AdjacentMerge chunk)
    {
        if (chunk.Stored == 0)
        {
            return;
        }

        Stored += chunk.Stored;
        if (!_merges)
        {
            return;
        }

        if (_lastLength >= 0 && chunk.First.SequenceEqual(Last))
        {
            Stored--;
        }

        Copy(ref _last, ref _lastLength, chunk.Last);
    }

    public void Reset()
    {
        Stored = 0;
        _firstLength = -1;
        _lastLength = -1;
    }

    private static void Copy(ref byte[] buffer, ref int length, ReadOnlySpan<byte> text)
    {
        if (buffer.Length < text.Length)
        {
            buffer = new byte[Math.Max(text.Length, buffer.Length * 2)];
        }

        text.CopyTo(buffer);
        length = text.Length;
    }
}
