using System.Numerics;
using System.Runtime.CompilerServices;

namespace PageExt.Analysis.Sort;

/// <summary>
/// An in-place most-significant-digit radix sort (American flag sort) of <see cref="TimestampKey"/>s
/// by a 64-bit value, in 8-bit digits from the highest digit on which keys differ. Not stable: keys
/// with equal values end in no particular order.
/// </summary>
/// <remarks>
/// Why not Array.Sort: its generic helper for a struct is jitted at tier 0 on first use, and a one-shot
/// sort of a million keys runs most of its comparisons there; this runs optimized from its first call,
/// in a few passes over the keys. Why in place: the keys are the largest thing a sort by time holds,
/// and a scratch copy as large would cost its memory and a page fault per page of it.
/// </remarks>
internal static class TimestampRadixSort
{
    private const int DigitBits = 8;
    private const int Buckets = 1 << DigitBits;
    private const int InsertionKeys = 32;

    /// <summary>The value a key is sorted by.</summary>
    public interface ISortValue
    {
        ulong Of(in TimestampKey key);
    }

    /// <summary>Sorts <paramref name="keys"/> by <paramref name="value"/>, ascending.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Sort<TValue>(Span<TimestampKey> keys, TValue value)
        where TValue : struct, ISortValue
    {
        if (keys.Length < 2)
        {
            return;
        }

        ulong first = value.Of(keys[0]);
        ulong differ = 0;
        foreach (ref readonly var key in keys)
        {
            differ |= value.Of(key) ^ first;
        }

        if (differ != 0)
        {
            int highestBit = 63 - BitOperations.LeadingZeroCount(differ);
            SortDigit(keys, value, highestBit / DigitBits * DigitBits);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SortDigit<TValue>(Span<TimestampKey> keys, TValue value, int shift)
        where TValue : struct, ISortValue
    {
        if (keys.Length <= InsertionKeys)
        {
            InsertionSort(keys, value);
            return;
        }

        Span<int> counts = stackalloc int[Buckets];
        foreach (ref readonly var key in keys)
        {
            counts[Digit(value.Of(key), shift)]++;
        }

        Span<int> next = stackalloc int[Buckets];
        Span<int> ends = stackalloc int[Buckets];
        int sum = 0;
        for (int bucket = 0; bucket < Buckets; bucket++)
        {
            next[bucket] = sum;
            sum += counts[bucket];
            ends[bucket] = sum;
        }

        // Each key taken out of place is carried along the cycle of keys it displaces until a key
        // that belongs where the cycle began comes back.
        for (int bucket = 0; bucket < Buckets; bucket++)
        {
            while (next[bucket] < ends[bucket])
            {
                var carried = keys[next[bucket]];
                int digit = Digit(value.Of(carried), shift);
                while (digit != bucket)
                {
                    ref var slot = ref keys[next[digit]++];
                    (carried, slot) = (slot, carried);
                    digit = Digit(value.Of(carried), shift);
                }

                keys[next[bucket]++] = carried;
            }
        }

        if (shift == 0)
        {
            return;
        }

        int start = 0;
        for (int bucket = 0; bucket < Buckets; bucket++)
        {
            int length = counts[bucket];
            if (length > 1)
            {
                SortDigit(keys.Slice(start, length), value, shift - DigitBits);
            }

            start += length;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void InsertionSort<TValue>(Span<TimestampKey> keys, TValue value)
        where TValue : struct, ISortValue
    {
        for (int i = 1; i < keys.Length; i++)
        {
            var key = keys[i];
            ulong v = value.Of(key);
            int j = i - 1;
            while (j >= 0 && value.Of(keys[j]) > v)
            {
                keys[j + 1] = keys[j];
                j--;
            }

            keys[j + 1] = key;
        }
    }

    private static int Digit(ulong v, int shift) => (int)((v >> shift) & (Buckets - 1));

    /// <summary>By stamp, ascending.</summary>
    public readonly struct Ascending : ISortValue
    {
        public ulong Of(in TimestampKey key) => key.TimestampNs;
    }

    /// <summary>By stamp, descending: the complement reverses the order.</summary>
    public readonly struct Descending : ISortValue
    {
        public ulong Of(in TimestampKey key) => ~key.TimestampNs;
    }

    /// <summary>By position in the input: puts records with equal texts back in input order.</summary>
    public readonly struct InputOrder : ISortValue
    {
        public ulong Of(in TimestampKey key) => key.Sequence;
    }
}
