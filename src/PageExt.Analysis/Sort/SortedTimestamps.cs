using PageExt.Platform;

namespace PageExt.Analysis.Sort;

/// <summary>The records of a <see cref="TimestampSort"/> in report order, and the pieces their texts are made of.</summary>
internal sealed class SortedTimestamps
{
    private readonly ReservedArray<TimestampKey> _keys;

    public SortedTimestamps(ReservedArray<TimestampKey> keys, PieceTable pieces)
    {
        _keys = keys;
        Pieces = pieces;
        Groups = CountGroups(keys.Span);
    }

    /// <summary>The records in report order; valid while the sort that made them is not disposed.</summary>
    public ReadOnlySpan<TimestampKey> Keys => _keys.Span;

    public PieceTable Pieces { get; }

    /// <summary>Groups in the report: runs of records with the same text count as one.</summary>
    public int Groups { get; }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static int CountGroups(ReadOnlySpan<TimestampKey> keys)
    {
        int groups = keys.Length == 0 ? 0 : 1;
        for (int i = 1; i < keys.Length; i++)
        {
            if (!keys[i].SameText(keys[i - 1]))
            {
                groups++;
            }
        }

        return groups;
    }
}
