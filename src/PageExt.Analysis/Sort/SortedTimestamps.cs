namespace PageExt.Analysis.Sort;

/// <summary>The records of a <see cref="TimestampSort"/> in report order, and the pieces their texts are made of.</summary>
internal sealed class SortedTimestamps
{
    public SortedTimestamps(TimestampKey[] keys, PieceTable pieces)
    {
        Keys = keys;
        Pieces = pieces;
        for (int i = 0; i < keys.Length; i = GroupEnd(i))
        {
            Groups++;
        }
    }

    public TimestampKey[] Keys { get; }

    public PieceTable Pieces { get; }

    /// <summary>Groups in the report: runs of records with the same text count as one.</summary>
    public int Groups { get; }

    /// <summary>The end of the group that starts at <paramref name="start"/>: equal texts are side by side, first one first.</summary>
    public int GroupEnd(int start)
    {
        int end = start + 1;
        while (end < Keys.Length && Keys[end].SameText(Keys[start]))
        {
            end++;
        }

        return end;
    }
}
