namespace PageExt.Analysis.Sort;

/// <summary>
/// <see cref="SortComparers.Total"/> for a lone allocation-time term, over <see cref="TimestampKey"/>s:
/// stamps in the term's direction; equal stamps by strcmp of the texts, reversed when
/// <paramref name="TextDescending"/> (v6.7-v6.19 compare_ts, ascending); equal texts by input order.
/// </summary>
internal readonly record struct TimestampOrder(PieceTable Pieces, bool Descending, bool TextDescending) : IComparer<TimestampKey>
{
    public int Compare(TimestampKey a, TimestampKey b)
    {
        if (a.TimestampNs != b.TimestampNs)
        {
            return (a.TimestampNs < b.TimestampNs) ^ Descending ? -1 : 1;
        }

        int text = CompareText(Pieces, a, b);
        if (text != 0)
        {
            return TextDescending ? -text : text;
        }

        return a.Sequence.CompareTo(b.Sequence);
    }

    /// <summary>strcmp of the two records' texts, without building them.</summary>
    public static int CompareText(PieceTable pieces, in TimestampKey a, in TimestampKey b)
    {
        Span<byte> digitsA = stackalloc byte[20];
        Span<byte> digitsB = stackalloc byte[20];
        return CompareJoined(
            pieces[a.Head], Digits(a, digitsA), pieces[a.Tail],
            pieces[b.Head], Digits(b, digitsB), pieces[b.Tail]);
    }

    public static ReadOnlySpan<byte> Digits(in TimestampKey key, Span<byte> buffer)
    {
        if (!key.HasDigits)
        {
            return [];
        }

        System.Buffers.Text.Utf8Formatter.TryFormat(key.TimestampNs, buffer, out int n);
        return buffer[..n];
    }

    /// <summary>Compares a0+a1+a2 with b0+b1+b2 byte by byte, as strcmp compares two NUL-free strings.</summary>
    private static int CompareJoined(
        ReadOnlySpan<byte> a0, ReadOnlySpan<byte> a1, ReadOnlySpan<byte> a2,
        ReadOnlySpan<byte> b0, ReadOnlySpan<byte> b1, ReadOnlySpan<byte> b2)
    {
        var a = a0;
        var b = b0;
        int nextA = 1;
        int nextB = 1;
        while (true)
        {
            while (a.IsEmpty && nextA < 3)
            {
                a = nextA++ == 1 ? a1 : a2;
            }

            while (b.IsEmpty && nextB < 3)
            {
                b = nextB++ == 1 ? b1 : b2;
            }

            if (a.IsEmpty || b.IsEmpty)
            {
                return a.IsEmpty ? (b.IsEmpty ? 0 : -1) : 1;
            }

            int n = Math.Min(a.Length, b.Length);
            int c = a[..n].SequenceCompareTo(b[..n]);
            if (c != 0)
            {
                return Math.Sign(c);
            }

            a = a[n..];
            b = b[n..];
        }
    }
}
