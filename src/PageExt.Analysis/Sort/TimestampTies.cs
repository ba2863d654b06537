using System.Runtime.CompilerServices;

namespace PageExt.Analysis.Sort;

/// <summary>
/// Puts each run of records with one stamp in <see cref="TimestampOrder"/>: by text, then input order.
/// Most stamps are unique (the clock counts nanoseconds), but a dump can hold thousands of records
/// stamped 0 (allocated before the clock ran), and a dump from a kernel that prints no stamp is one run.
/// </summary>
/// <remarks>
/// A large run is not sorted by comparing texts. Its texts are <c>head + digits + tail</c> with the same
/// digits throughout, so where no head is a proper prefix of another, the order of two texts is the
/// order of their heads, then of their tails. The run's distinct heads and tails (a few hundred pieces
/// for thousands of records) are ranked once, the records are radix-sorted by the two ranks, and each
/// stretch of one text (identical records) by input order. A run that breaks the premise (a head that
/// is a prefix of another, or digits in some texts only) is sorted by comparing texts.
/// </remarks>
internal sealed class TimestampTies
{
    /// <summary>Runs shorter than this are sorted by comparing texts: ranking them costs more.</summary>
    private const int RankedRunKeys = 32;

    private readonly PieceTable _pieces;
    private readonly TimestampOrder _order;

    public TimestampTies(PieceTable pieces, TimestampOrder order)
    {
        _pieces = pieces;
        _order = order;
    }

    /// <summary>Sorts every run of equal stamps in <paramref name="keys"/>, which are sorted by stamp.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void SortRuns(Span<TimestampKey> keys)
    {
        for (int start = 0; start < keys.Length;)
        {
            ulong stamp = keys[start].TimestampNs;
            int end = start + 1;
            while (end < keys.Length && keys[end].TimestampNs == stamp)
            {
                end++;
            }

            if (end - start > 1)
            {
                SortRun(keys[start..end]);
            }

            start = end;
        }
    }

    /// <summary>Sorts one run of equal stamps, in any order.</summary>
    public void SortRun(Span<TimestampKey> run)
    {
        if (run.Length < RankedRunKeys)
        {
            InsertionSortByText(run);
        }
        else if (!TrySortByRanks(run))
        {
            run.Sort(_order);
        }
    }

    /// <summary>strcmp order over the joined pieces, by insertion: for the short runs.</summary>
    private void InsertionSortByText(Span<TimestampKey> run)
    {
        for (int i = 1; i < run.Length; i++)
        {
            var key = run[i];
            int j = i - 1;
            while (j >= 0 && _order.Compare(run[j], key) > 0)
            {
                run[j + 1] = run[j];
                j--;
            }

            run[j + 1] = key;
        }
    }

    /// <summary>Sorts a run of equal stamps by the ranks of its pieces; false, leaving it untouched, where that would not give the order.</summary>
    internal bool TrySortByRanks(Span<TimestampKey> run)
    {
        bool digits = run[0].HasDigits;
        var heads = new Dictionary<int, int>();
        var tails = new Dictionary<int, int>();
        foreach (ref readonly var key in run)
        {
            if (key.HasDigits != digits)
            {
                return false;
            }

            heads.TryAdd(key.Head, 0);
            tails.TryAdd(key.Tail, 0);
        }

        // Where every text is its head alone, a head that is a prefix of another sorts first, as its text does.
        bool headsAreTexts = !digits && tails.Count == 1 && _pieces[tails.Keys.First()].IsEmpty;
        if (!TryRank(heads, prefixFree: !headsAreTexts) || !TryRank(tails, prefixFree: false))
        {
            return false;
        }

        TimestampRadixSort.Sort(run, new PieceRanks(heads, tails, _order.TextDescending));
        for (int start = 0; start < run.Length;)
        {
            int end = start + 1;
            while (end < run.Length && run[end].SameText(run[start]))
            {
                end++;
            }

            TimestampRadixSort.Sort(run[start..end], new TimestampRadixSort.InputOrder());
            start = end;
        }

        return true;
    }

    /// <summary>Numbers the pieces in byte order; false when one is a prefix of another and that was ruled out.</summary>
    private bool TryRank(Dictionary<int, int> ranks, bool prefixFree)
    {
        int[] ids = [.. ranks.Keys];
        Array.Sort(ids, (a, b) => _pieces[a].SequenceCompareTo(_pieces[b]));
        for (int rank = 0; rank < ids.Length; rank++)
        {
            // Sorted, a piece that is a prefix of others sits just before the first of them.
            if (prefixFree && rank > 0 && _pieces[ids[rank]].StartsWith(_pieces[ids[rank - 1]]))
            {
                return false;
            }

            ranks[ids[rank]] = rank;
        }

        return true;
    }

    /// <summary>A record's place among the run's texts: head rank, then tail rank (complemented to descend).</summary>
    private readonly struct PieceRanks(Dictionary<int, int> heads, Dictionary<int, int> tails, bool descending) : TimestampRadixSort.ISortValue
    {
        public ulong Of(in TimestampKey key)
        {
            ulong rank = ((ulong)(uint)heads[key.Head] << 32) | (uint)tails[key.Tail];
            return descending ? ~rank : rank;
        }
    }
}
