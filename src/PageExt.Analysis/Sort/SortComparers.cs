namespace PageExt.Analysis.Sort;

/// <summary>
/// page_owner_sort's comparators over groups, with its C arithmetic: int differences that wrap, and
/// strcmp on the stored texts (which never hold a NUL, so ordinal byte order is strcmp order).
/// </summary>
internal static class SortComparers
{
    /// <summary>compare_cull_condition: whole text with no --cull, else the culled keys in fixed priority.</summary>
    public static Comparison<SortedGroup> Cull(SortOptions options)
    {
        var cull = options.Cull;
        if (cull == CullKeys.None || options.Compat == CompatMode.Y2014)
        {
            return static (a, b) => Strcmp(a.Text, b.Text);
        }

        return (a, b) =>
        {
            int c;
            if ((cull & CullKeys.StackTrace) != 0 && (c = Strcmp(a.StackTrace, b.StackTrace)) != 0)
            {
                return c;
            }

            if ((cull & CullKeys.Pid) != 0 && (c = unchecked(a.Pid - b.Pid)) != 0)
            {
                return c;
            }

            if ((cull & CullKeys.Tgid) != 0 && (c = unchecked(a.Tgid - b.Tgid)) != 0)
            {
                return c;
            }

            if ((cull & CullKeys.Comm) != 0 && (c = Strcmp(a.Comm, b.Comm)) != 0)
            {
                return c;
            }

            if ((cull & CullKeys.Free) != 0 && (c = CompareRelease(a, b)) != 0)
            {
                return c;
            }

            if ((cull & CullKeys.Allocator) != 0 && (c = unchecked(a.Allocator - b.Allocator)) != 0)
            {
                return c;
            }

            return 0;
        };
    }

    /// <summary>compare_sort_condition: the first non-zero sign * cmp over the terms (0 for no terms).</summary>
    public static Comparison<SortedGroup> Sort(IReadOnlyList<SortTerm> terms)
    {
        var array = terms.ToArray();
        return (a, b) =>
        {
            int c = 0;
            for (int i = 0; i < array.Length && c == 0; i++)
            {
                c = unchecked((array[i].Descending ? -1 : 1) * Compare(array[i], a, b));
            }

            return c;
        };
    }

    /// <summary>
    /// The order glibc's merge sort gives <see cref="Sort"/> over a sequence whose order is
    /// <paramref name="before"/>, as one total comparator: what an external sort needs, because it
    /// cannot replay the exact merge tree. Ties of the 3-way terms keep the earlier element first (the
    /// merge takes from the left when cmp &lt;= 0); an ascending compare_ts that never returns 0
    /// makes equal stamps "greater", so the merge takes the right, later element first and ties come
    /// out in reverse; descending, it takes the left. Valid when every int difference fits in an int
    /// (see IntRange): then this and the merge sort agree on every input.
    /// </summary>
    public static Comparison<SortedGroup> Total(IReadOnlyList<SortTerm> terms, Comparison<SortedGroup> before)
    {
        var array = terms.ToArray();
        return (a, b) =>
        {
            foreach (var term in array)
            {
                if (term.Key is SortKey.FreeTimestamp || (term.Key is SortKey.AllocTimestamp && !term.ThreeWayTimestamp))
                {
                    int stamps = term.Key is SortKey.FreeTimestamp
                        ? a.FreeTimestampNs.CompareTo(b.FreeTimestampNs)
                        : a.TimestampNs.CompareTo(b.TimestampNs);
                    if (stamps != 0)
                    {
                        return term.Descending ? -stamps : stamps;
                    }

                    return term.Descending ? before(a, b) : before(b, a);
                }

                int c = unchecked((term.Descending ? -1 : 1) * Compare(term, a, b));
                if (c != 0)
                {
                    return c;
                }
            }

            return before(a, b);
        };
    }

    public static int Compare(SortTerm term, SortedGroup a, SortedGroup b) => term.Key switch
    {
        SortKey.Times => unchecked(a.CountAsInt - b.CountAsInt),
        SortKey.Pages => unchecked(a.PagesAsInt - b.PagesAsInt),
        SortKey.Pid => unchecked(a.Pid - b.Pid),
        SortKey.Tgid => unchecked(a.Tgid - b.Tgid),
        SortKey.Allocator => unchecked(a.Allocator - b.Allocator),
        SortKey.Comm => Strcmp(a.Comm, b.Comm),
        SortKey.StackTrace => Strcmp(a.StackTrace, b.StackTrace),
        SortKey.Text => Strcmp(a.Text, b.Text),
        SortKey.AllocTimestamp => term.ThreeWayTimestamp
            ? a.TimestampNs.CompareTo(b.TimestampNs)
            : (a.TimestampNs < b.TimestampNs ? -1 : 1),
        SortKey.FreeTimestamp => a.FreeTimestampNs < b.FreeTimestampNs ? -1 : 1,
        _ => throw new ArgumentOutOfRangeException(nameof(term)),
    };

    /// <summary>5.18-6.6 compare_release: released (free_ts != 0) after unreleased.</summary>
    private static int CompareRelease(SortedGroup a, SortedGroup b)
    {
        if ((a.FreeTimestampNs == 0) == (b.FreeTimestampNs == 0))
        {
            return 0;
        }

        return a.FreeTimestampNs != 0 ? 1 : -1;
    }

    public static int Strcmp(ReadOnlyMemory<byte> a, ReadOnlyMemory<byte> b) => Math.Sign(a.Span.SequenceCompareTo(b.Span));
}
