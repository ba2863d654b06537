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
    }

    /// <summary>The records in report order; valid while the sort that made them is not disposed.</summary>
    public ReadOnlySpan<TimestampKey> Keys => _keys.Span;

    public PieceTable Pieces { get; }
}
