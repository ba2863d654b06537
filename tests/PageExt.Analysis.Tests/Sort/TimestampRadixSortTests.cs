using FsCheck;
using FsCheck.Fluent;
using PageExt.Analysis.Dump;
using PageExt.Analysis.Sort;

namespace PageExt.Analysis.Tests.Sort;

/// <summary>
/// The in-place radix sort that orders a sort by allocation time: for any keys it gives the stamps
/// in the order Array.Sort gives them, and moves whole keys (every key comes out once, unchanged).
/// </summary>
public sealed class TimestampRadixSortTests
{
    /// <summary>Stamps drawn so that keys collide, share long prefixes of digits, and reach both ends of the range.</summary>
    private static Gen<ulong> Stamps =>
        Gen.OneOf(
            Gen.Choose(0, 40).Select(v => (ulong)v),
            Gen.Choose(0, int.MaxValue).Select(v => (ulong)v << 20),
            Gen.Choose(0, 255).Select(v => ulong.MaxValue - (ulong)v),
            ArbMap.Default.GeneratorFor<ulong>());

    private static Gen<ulong[]> StampArrays =>
        Gen.OneOf(
            Gen.ArrayOf(Stamps),
            Gen.Choose(0, 3000).SelectMany(n => Gen.ArrayOf(Stamps, n)));

    [Fact]
    public void Radix_sort_orders_any_stamps_as_Array_Sort_does_and_keeps_every_key_whole()
    {
        Prop.ForAll(Arb.From(StampArrays), stamps =>
        {
            foreach (bool descending in new[] { false, true })
            {
                var keys = Keys(stamps);
                if (descending)
                {
                    TimestampRadixSort.Sort(keys, new TimestampRadixSort.Descending());
                }
                else
                {
                    TimestampRadixSort.Sort(keys, new TimestampRadixSort.Ascending());
                }

                var expected = stamps.Order().ToArray();
                if (descending)
                {
                    Array.Reverse(expected);
                }

                if (!keys.Select(k => k.TimestampNs).SequenceEqual(expected))
                {
                    return false;
                }

                // Each key still carries its own stamp and numbers, and none is lost or doubled.
                var seen = keys.Select(k => k.Sequence).Order().ToArray();
                if (!seen.SequenceEqual(Enumerable.Range(0, stamps.Length).Select(i => (uint)i))
                    || keys.Any(k => k.TimestampNs != stamps[k.Sequence] || k.Head != (int)(k.Sequence % 1000) || k.Tail != (int)(k.Sequence % 777)))
                {
                    return false;
                }
            }

            return true;
        }).QuickCheckThrowOnFailure();
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(32)]
    [InlineData(33)]
    [InlineData(100_000)]
    public void Radix_sort_by_input_order_restores_the_input_order(int count)
    {
        var random = new Random(count);
        var keys = Keys([.. Enumerable.Range(0, count).Select(_ => 7UL)]);
        random.Shuffle(keys);
        TimestampRadixSort.Sort(keys, new TimestampRadixSort.InputOrder());
        Assert.Equal(Enumerable.Range(0, count).Select(i => (uint)i), keys.Select(k => k.Sequence));
    }

    private static TimestampKey[] Keys(ulong[] stamps) =>
        [.. stamps.Select((ts, i) => new TimestampKey(ts, (uint)i, i % 1000, i % 777, 1, KernelFields.AllocatorOthers, digits: true))];
}
