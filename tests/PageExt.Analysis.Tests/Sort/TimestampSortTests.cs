using System.Text;
using PageExt.Analysis.Dump;
using PageExt.Analysis.Reports;
using PageExt.Analysis.Sort;

namespace PageExt.Analysis.Tests.Sort;

/// <summary>
/// The sort by allocation time over pieces (<see cref="TimestampSort"/>) must print exactly what the
/// groups sort prints (<see cref="PageOwnerSorter"/>, whose in-memory order the golden files check
/// against the kernel tool): on every golden input, on large tie-heavy inputs, on hostile records,
/// and when it overflows its memory budget into the external sort.
/// </summary>
public sealed class TimestampSortTests
{
    public static TheoryData<string> TimestampOptions() =>
    [
        "-a", "--sort=at", "--sort=-at", "-a --pid=1727,134,80,92", "-a --tgid=1727,670,91", "-a --name=java,insmod,kthreadd",
        "-a -d",
    ];

    public static TheoryData<string, string> GoldenInputsAndOptions()
    {
        var data = new TheoryData<string, string>();
        foreach (var input in Directory.GetFiles(Path.Combine(TestData.GoldenDirectory, "inputs"), "*.txt").Select(Path.GetFileName).Order(StringComparer.Ordinal))
        {
            foreach (var args in TimestampOptions())
            {
                data.Add(input!, args);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(GoldenInputsAndOptions))]
    public void Timestamp_sort_prints_what_the_groups_sort_prints_on_every_golden_input(string input, string args)
    {
        AssertSameAsGroupsSort(TestData.ReadInput(input), args, DumpChunkReader.DefaultChunkBytes, $"{input} {args}");
    }

    [Theory]
    [MemberData(nameof(TimestampOptions))]
    public void Timestamp_sort_prints_what_the_groups_sort_prints_on_a_large_input_with_ties(string args)
    {
        var input = TieHeavyInput(copies: 24);
        AssertSameAsGroupsSort(input, args, 16 << 10, $"tie-heavy input, {args}");
    }

    [Theory]
    [MemberData(nameof(TimestampOptions))]
    public void Timestamp_sort_prints_what_the_groups_sort_prints_when_thousands_of_records_share_a_stamp(string args)
    {
        AssertSameAsGroupsSort(SharedStampInput(), args, 16 << 10, $"shared stamps, {args}");
    }

    [Fact]
    public void Timestamp_sort_holds_in_memory_what_the_groups_sort_spills()
    {
        var input = TieHeavyInput(copies: 24);
        var groups = GroupsSort(input, "--memory-budget 256K -a", 16 << 10);
        var keys = TestData.Sort(input, "--memory-budget 256K -a", 16 << 10);
        Assert.True(groups.Result.SpilledRuns > 0, "the groups sort was expected to spill at this budget");
        Assert.Equal(0, keys.Result.SpilledRuns);
        TestData.AssertSameLines(groups.Output, keys.Output, "-a with a 256K budget");
    }

    [Theory]
    [InlineData("1")]
    [InlineData("4K")]
    [InlineData("64K")]
    public void Timestamp_sort_over_its_budget_hands_over_to_the_external_sort_with_the_same_report(string budget)
    {
        var input = TieHeavyInput(copies: 8);
        var inMemory = TestData.Sort(input, "-a", 16 << 10);
        var spilled = TestData.Sort(input, $"--memory-budget {budget} -a", 16 << 10);
        Assert.Equal(0, inMemory.Result.SpilledRuns);
        Assert.True(spilled.Result.SpilledRuns > 1, $"expected several runs at a {budget} budget, got {spilled.Result.SpilledRuns}");
        Assert.Equal(inMemory.Result.LoadedRecords, spilled.Result.LoadedRecords);
        Assert.Equal(inMemory.Result.Groups, spilled.Result.Groups);
        TestData.AssertSameLines(inMemory.Output, spilled.Output, $"-a in memory vs over a {budget} budget");
    }

    public static TheoryData<string, string> HostileInputs() => new()
    {
        { "CR LF line endings", Crlf(TwoRecords()) },
        { "a last record without its final newline", TwoRecords().TrimEnd('\n') },
        { "a last record without its blank line", TwoRecords()[..^1] },
        { "identical records whose PFN lines differ (the first keeps the group)", Identical("type Movable", "type CMA") + Identical("type CMA", "type Movable") },
        { "identical records, the second inheriting the first's PFN line", Record(5, "ts 70 ns", "PFN 0x1 type CMA Flags 0x0()") + Record(5, "ts 70 ns", pfn: null) },
        { "ts with leading zeros", Record(1, "ts 0070 ns") + Record(2, "ts 70 ns") + Record(3, "ts 070 ns") },
        { "ts out of range, missing or empty", Record(1, "ts 99999999999999999999999 ns") + Record(2, "no stamp") + Record(3, "ts  ns") + Record(4, "ts 18446744073709551615 ns") },
        { "ts digits in a comm", Record(1, "ts 5 ns", comm: "a), ts 9 ns (b") + Record(2, "ts 5 ns") },
        { "order 40 and no order", Record(1, "ts 3 ns", order: "40") + Record(2, "ts 3 ns", order: "x") },
        { "a record that is a prefix of another", Record(1, "ts 8 ns") + Record(1, "ts 8 ns", extraFrame: " more_frame+0x1/0x2\n") },
        { "glued records, a paragraph that is no record, NUL bytes", Record(1, "ts 2 ns").TrimEnd('\n') + "\n" + Record(2, "ts 1 ns") + "junk line\n\n" + Record(3, "ts 4 ns").Replace("frame_3", "fr\0me", StringComparison.Ordinal) },
    };

    [Theory]
    [MemberData(nameof(HostileInputs))]
    public void Timestamp_sort_prints_and_reports_what_the_groups_sort_does_on_hostile_records(string what, string text)
    {
        var input = Encoding.UTF8.GetBytes(text);
        foreach (string args in new[] { "-a", "--sort=-at", "--sort=at", "--memory-budget 1 -a" })
        {
            var groups = GroupsSort(input, args.Replace("--memory-budget 1 ", "", StringComparison.Ordinal), 1 << 10);
            var keys = TestData.Sort(input, args, 1 << 10);
            TestData.AssertSameLines(groups.Output, keys.Output, $"{what}, {args}");
            Assert.Equal(Diagnostics(groups.Log), Diagnostics(keys.Log));
            Assert.Equal(groups.Result.LoadedRecords, keys.Result.LoadedRecords);
        }
    }

    [Theory]
    [InlineData("-a", true)]
    [InlineData("--sort=at", true)]
    [InlineData("--sort=-at", true)]
    [InlineData("-a --pid=1", true)]
    [InlineData("--format json -a", false)]
    [InlineData("--format csv -a", false)]
    [InlineData("--cull=pid -a", false)]
    [InlineData("--compat=v6.6 -a", false)]
    [InlineData("--compat=2014", false)]
    [InlineData("--sort=at,p", false)]
    [InlineData("-m", false)]
    public void Timestamp_sort_takes_whole_text_allocation_time_sorts_in_the_text_format_only(string args, bool supported)
    {
        var options = SortCommandLine.Parse([.. args.Split(' '), "-", "-"]).Options!;
        Assert.Equal(supported, TimestampSort.Supports(options));
    }

    [Fact]
    public void Timestamp_key_is_20_bytes()
    {
        Assert.Equal(20, System.Runtime.CompilerServices.Unsafe.SizeOf<TimestampKey>());
    }

    [Theory]
    [InlineData(0, 0, 0, 0, 0, false)]
    [InlineData(12345678901234567890UL, 7, (1 << 24) - 1, (1 << 24) - 2, 1 << 22, true)]
    [InlineData(1, uint.MaxValue, 3, 4, 512, true)]
    public void Timestamp_key_keeps_every_field(ulong ts, uint sequence, int head, int tail, int pages, bool digits)
    {
        foreach (int allocator in new[] { KernelFields.AllocatorOthers, KernelFields.AllocatorCma | KernelFields.AllocatorSlab | KernelFields.AllocatorVmalloc, KernelFields.AllocatorSlab })
        {
            var key = new TimestampKey(ts, sequence, head, tail, pages, allocator, digits);
            Assert.Equal((ts, sequence, head, tail, pages, allocator, digits), (key.TimestampNs, key.Sequence, key.Head, key.Tail, key.Pages, key.Allocator, key.HasDigits));
            var moved = key.Renumber(head / 2, tail / 3, 1);
            Assert.Equal((head / 2, tail / 3, unchecked(sequence + 1), pages, allocator, digits), (moved.Head, moved.Tail, moved.Sequence, moved.Pages, moved.Allocator, moved.HasDigits));
        }
    }

    [Theory]
    [InlineData("ab|c", "a|bc")]
    [InlineData("ab|", "ab|c")]
    [InlineData("x|yz", "x|y")]
    [InlineData("|", "|")]
    [InlineData("abd|", "abc|zz")]
    public void Text_comparison_across_pieces_is_strcmp_of_the_joined_texts(string a, string b)
    {
        var pieces = new PieceTable(segmentBytes: 1 << 10);
        var keyA = Key(pieces, a, ts: 42);
        var keyB = Key(pieces, b, ts: 42);
        string textA = a.Replace("|", "42", StringComparison.Ordinal);
        string textB = b.Replace("|", "42", StringComparison.Ordinal);
        int expected = Math.Sign(string.CompareOrdinal(textA, textB));
        Assert.Equal(expected, TimestampOrder.CompareText(pieces, keyA, keyB));
        Assert.Equal(-expected, TimestampOrder.CompareText(pieces, keyB, keyA));
        Assert.Equal(expected == 0, keyA.SameText(keyB));
    }

    private static TimestampKey Key(PieceTable pieces, string text, ulong ts)
    {
        var parts = text.Split('|');
        var head = Encoding.ASCII.GetBytes(parts[0]);
        var tail = Encoding.ASCII.GetBytes(parts[1]);
        return new TimestampKey(ts, 0, pieces.Intern(head, ByteHash.Hash(head)), pieces.Intern(tail, ByteHash.Hash(tail)), 1, KernelFields.AllocatorOthers, digits: true);
    }

    private static void AssertSameAsGroupsSort(byte[] input, string args, int chunkBytes, string what)
    {
        var groups = GroupsSort(input, args, chunkBytes);
        var keys = TestData.Sort(input, args, chunkBytes);
        Assert.Equal(0, keys.Result.SpilledRuns);
        Assert.Equal(groups.Result.LoadedRecords, keys.Result.LoadedRecords);
        Assert.Equal(groups.Result.Groups, keys.Result.Groups);
        TestData.AssertSameLines(groups.Output, keys.Output, what);
        Assert.Equal(Diagnostics(groups.Log), Diagnostics(keys.Log));
    }

    /// <summary>`pageext sort ARGS - -` through the groups sort, in memory unless the arguments set a budget.</summary>
    private static TestData.SortRun GroupsSort(byte[] input, string args, int chunkBytes)
    {
        var options = SortCommandLine.Parse([.. args.Split(' ', StringSplitOptions.RemoveEmptyEntries), "-", "-"]).Options!;
        if (!args.Contains("--memory-budget", StringComparison.Ordinal))
        {
            options.MemoryBudgetBytes = 1L << 40;
        }

        var log = new DiagnosticLog(int.MaxValue);
        using var output = new MemoryStream();
        using var source = DumpSource.Wrap(new MemoryStream(input), ownsStream: true);
        var result = PageOwnerSorter.Run(options, source, groups => SortReport.Write(output, groups, options), log, chunkBytes: chunkBytes);
        return new TestData.SortRun(output.ToArray(), log, result);
    }

    private static string[] Diagnostics(DiagnosticLog log) => [.. log.Kept.Select(d => d.ToString())];

    /// <summary>
    /// The golden inputs repeated, every copy's stamps and pids shifted a little: many distinct
    /// records, many equal stamps across copies, and identical records.
    /// </summary>
    private static byte[] TieHeavyInput(int copies)
    {
        var text = Encoding.UTF8.GetString(TestData.ReadInput("modern-s11.txt")) + Encoding.UTF8.GetString(TestData.ReadInput("edge.txt"));
        var output = new StringBuilder(text.Length * copies);
        for (int copy = 0; copy < copies; copy++)
        {
            output.Append(copy % 3 == 0 ? text : text
                .Replace(", ts 2", FormattableString.Invariant($", ts {copy % 5}2"), StringComparison.Ordinal)
                .Replace("pid 1", FormattableString.Invariant($"pid {copy % 4}1"), StringComparison.Ordinal));
        }

        return Encoding.UTF8.GetBytes(output.ToString());
    }

    /// <summary>
    /// Records stamped 0 (allocated before the clock ran) by the thousand, records with no stamp, and a
    /// few more: runs of one stamp with many heads and tails, stacks that are prefixes of others, and
    /// identical records.
    /// </summary>
    private static byte[] SharedStampInput()
    {
        var text = new StringBuilder();
        for (int i = 0; i < 3000; i++)
        {
            string stamp = (i % 20) switch { < 14 => "ts 0 ns", 14 or 15 => "no stamp", 16 => "ts 5 ns", 17 => "ts 05 ns", _ => "ts 007 ns" };
            string extra = string.Concat(Enumerable.Range(0, i % 3).Select(depth => $" deeper_{depth}+0x1/0x2\n"));
            text.Append(Record(i % 5, stamp, comm: $"task{i % 23}", order: (i % 4).ToString(System.Globalization.CultureInfo.InvariantCulture), extraFrame: extra));
        }

        return Encoding.UTF8.GetBytes(text.ToString());
    }

    private static string TwoRecords() => Record(1, "ts 20 ns") + Record(2, "ts 10 ns", "PFN 0x2 type CMA Flags 0x0()");

    private static string Identical(string firstPfn, string secondPfn) =>
        Record(7, "ts 50 ns", $"PFN 0x7 {firstPfn} Flags 0x0()") + Record(7, "ts 50 ns", $"PFN 0x8 {secondPfn} Flags 0x0()");

    private static string Record(int frame, string stamp, string? pfn = "PFN 0x1 type Movable Block 0 type Movable Flags 0x0()", string comm = "insmod", string order = "0", string extraFrame = "") =>
        $"Page allocated via order {order}, mask 0xcc0(GFP_KERNEL), pid 80, tgid 80 ({comm}), {stamp}\n"
        + (pfn is null ? "" : pfn + "\n")
        + $" frame_{frame}+0x1/0x2\n common+0x3/0x4\n{extraFrame}\n";

    private static string Crlf(string text) => text.Replace("\n", "\r\n", StringComparison.Ordinal);
}
