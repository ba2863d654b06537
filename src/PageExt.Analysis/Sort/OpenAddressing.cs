namespace PageExt.Analysis.Sort;

/// <summary>
/// The bucket array the sort's hash tables share: a power-of-two array of entry numbers plus one
/// (0 is an empty bucket), probed linearly from the hash's low bits.
/// </summary>
internal static class OpenAddressing
{
    /// <summary>Empty buckets for <paramref name="capacity"/> entries, kept at most half full.</summary>
    public static int[] NewBuckets(int capacity) =>
        new int[Math.Max(16, (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)capacity * 2))];

    /// <summary>A bucket array of <paramref name="bucketCount"/> (a power of two) holding entries 0..count-1, each at its hash.</summary>
    public static int[] Rebuild(int count, int bucketCount, Func<int, ulong> hashOf)
    {
        var buckets = new int[bucketCount];
        int mask = bucketCount - 1;
        for (int i = 0; i < count; i++)
        {
            int bucket = (int)hashOf(i) & mask;
            while (buckets[bucket] != 0)
            {
                bucket = (bucket + 1) & mask;
            }

            buckets[bucket] = i + 1;
        }

        return buckets;
    }
}
