using System.Text;
using FsCheck;
using FsCheck.Fluent;
using PageExt.Analysis.Dump;
using PageExt.Analysis.Sort;

namespace PageExt.Analysis.Tests.Sort;

/// <summary>
/// Runs of records with one stamp, sorted by ranking their pieces, come out exactly as the text
/// comparison (<see cref="TimestampOrder"/>) orders them; the ranking declines the runs where piece
/// order is not text order, and those still come out right.
/// </summary>
public sealed class TimestampTiesTests
{
    private const ulong Stamp = 42;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Ranked_sort_gives_the_text_order_when_no_head_is_a_prefix_of_another(bool textDescending)
    {
        var pieces = new PieceTable(segmentBytes: 1 << 12);
        string[] heads = [.. Enumerable.Range(0, 40).Select(i => $"pid {i * 7 % 40}, ts ")];
        string[] tails = ["", " ns\n", " ns\n a\n", " ns\n a\n b\n", " ns\n b\n", " ns\n a\n\0\n"];
        var random = new Random(5);
        var run = Run(pieces, [.. Enumerable.Range(0, 600).Select(_ => (heads[random.Next(heads.Length)], tails[random.Next(tails.Length)], true))], random);

        var ties = new TimestampTies(pieces, Order(pieces, textDescending));
        var ranked = run.ToArray();
        Assert.True(ties.TrySortByRanks(ranked));
        Assert.Equal(ComparedOrder(pieces, run, textDescending), ranked.Select(k => k.Sequence));
    }

    [Fact]
    public void Ranked_sort_declines_a_run_where_a_head_is_a_prefix_of_another()
    {
        var pieces = new PieceTable(segmentBytes: 1 << 12);
        var random = new Random(6);
        var run = Run(pieces, [.. Enumerable.Range(0, 64).Select(i => (i % 2 == 0 ? "ts " : "ts 4", " ns\n", true))], random);
        var ties = new TimestampTies(pieces, Order(pieces, textDescending: true));
        var untouched = run.ToArray();

        Assert.False(ties.TrySortByRanks(untouched));
        Assert.Equal(run.Select(k => k.Sequence), untouched.Select(k => k.Sequence));
        ties.SortRun(untouched);
        Assert.Equal(ComparedOrder(pieces, run, textDescending: true), untouched.Select(k => k.Sequence));
    }

    [Fact]
    public void Ranked_sort_declines_a_run_mixing_texts_with_and_without_the_stamp_digits()
    {
        var pieces = new PieceTable(segmentBytes: 1 << 12);
        var random = new Random(7);
        var run = Run(pieces, [.. Enumerable.Range(0, 64).Select(i => (i % 2 == 0 ? "a, ts " : "a, ts 042", " ns\n", i % 2 == 0))], random);
        var ties = new TimestampTies(pieces, Order(pieces, textDescending: false));

        Assert.False(ties.TrySortByRanks(run.ToArray()));
        var sorted = run.ToArray();
        ties.SortRun(sorted);
        Assert.Equal(ComparedOrder(pieces, run, textDescending: false), sorted.Select(k => k.Sequence));
    }

    [Fact]
    public void Ranked_sort_takes_texts_without_stamps_even_when_one_is_a_prefix_of_another()
    {
        // A kernel that prints no stamp: every record is one run, its whole text the head. A record
        // whose stack is a prefix of another's sorts first, as strcmp puts it.
        var pieces = new PieceTable(segmentBytes: 1 << 12);
        string[] texts = ["x\n f\n", "x\n f\n g\n", "x\n f\n g\n h\n", "x\n g\n", "y\n"];
        var random = new Random(8);
        var run = Run(pieces, [.. Enumerable.Range(0, 200).Select(_ => (texts[random.Next(texts.Length)], "", false))], random);
        var ties = new TimestampTies(pieces, Order(pieces, textDescending: true));

        var ranked = run.ToArray();
        Assert.True(ties.TrySortByRanks(ranked));
        Assert.Equal(ComparedOrder(pieces, run, textDescending: true), ranked.Select(k => k.Sequence));
    }

    [Fact]
    public void Any_run_of_equal_stamps_comes_out_in_text_order_then_input_order()
    {
        // Pieces from a tiny alphabet, so that prefixes and identical texts turn up; the digits are in
        // every text of a run, in none, or in some.
        var piece = Gen.Elements("", "a", "ab", "abc", "b", "ts ", "ts 4", "\n");
        Gen<(string, string, bool)> Record(Gen<bool> digits) =>
            from head in piece
            from tail in piece
            from hasDigits in digits
            select (head, tail, hasDigits);
        var runs =
            from n in Gen.Choose(0, 300)
            from digits in Gen.Elements(Gen.Constant(true), Gen.Constant(false), Gen.Elements(true, false))
            from records in Gen.ArrayOf(Record(digits), n)
            select records;
        Prop.ForAll(Arb.From(runs), Arb.From(Gen.Elements(false, true)), (records, textDescending) =>
        {
            var pieces = new PieceTable(segmentBytes: 1 << 12);
            var run = Run(pieces, records, new Random(records.Length));
            var sorted = run.ToArray();
            new TimestampTies(pieces, Order(pieces, textDescending)).SortRun(sorted);
            return sorted.Select(k => k.Sequence).SequenceEqual(ComparedOrder(pieces, run, textDescending));
        }).QuickCheckThrowOnFailure();
    }

    private static TimestampOrder Order(PieceTable pieces, bool textDescending) => new(pieces, Descending: false, textDescending);

    /// <summary>The records as keys of one stamp, numbered in input order, then shuffled as the stamp sort leaves them.</summary>
    private static TimestampKey[] Run(PieceTable pieces, (string Head, string Tail, bool Digits)[] records, Random random)
    {
        var keys = records.Select((r, i) => new TimestampKey(Stamp, (uint)i, Intern(pieces, r.Head), Intern(pieces, r.Tail), 1, KernelFields.AllocatorOthers, r.Digits)).ToArray();
        random.Shuffle(keys);
        return keys;
    }

    private static uint[] ComparedOrder(PieceTable pieces, TimestampKey[] run, bool textDescending)
    {
        var sorted = run.ToArray();
        Array.Sort(sorted, Order(pieces, textDescending));
        return [.. sorted.Select(k => k.Sequence)];
    }

    private static int Intern(PieceTable pieces, string text)
    {
        var bytes = Encoding.ASCII.GetBytes(text);
        return pieces.Intern(bytes, ByteHash.Hash(bytes));
    }
}
