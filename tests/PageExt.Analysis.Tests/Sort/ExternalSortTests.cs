using System.Text;
using PageExt.Analysis.Dump;
using PageExt.Analysis.Reports;
using PageExt.Analysis.Sort;

namespace PageExt.Analysis.Tests.Sort;

/// <summary>
/// The external merge sort (groups spilled to sorted temporary runs) must print exactly what the
/// in-memory sort prints: on every golden case, and on inputs large and tie-heavy enough to need
/// many runs and both of its passes.
/// </summary>
public sealed class ExternalSortTests
{
    /// <summary>One byte: every chunk's groups spill as a run, and so does every group of the second pass.</summary>
    private const string TinyBudget = "--memory-budget 1";

    [Theory]
    [MemberData(nameof(GoldenTests.Cases), MemberType = typeof(GoldenTests))]
    public void Spilled_sort_matches_the_kernel_tool(string tool, string input, string tag, string args)
    {
        var run = TestData.Sort(TestData.ReadInput(input + ".txt"), $"{TinyBudget} {args}", chunkBytes: 1 << 10);
        var expected = File.ReadAllBytes(TestData.Expected($"{input}.{tag}.txt"));
        Assert.True(run.Result.SpilledRuns > 1 || run.Result.Groups <= 1, $"{input} {args}: expected the tiny budget to spill several runs, got {run.Result.SpilledRuns}");
        TestData.AssertSameLines(expected, run.Output, $"{tool} page_owner_sort {args} {input}.txt, spilled");
    }

    public static TheoryData<string> LargeInputOptions() =>
    [
        "-a", "", "-m", "-s", "-p", "-P", "-n", "-t", "--cull=st", "--cull=st -m", "--cull=pid -a", "--cull=p,n",
        "--cull=ator", "--sort=-at,p", "--sort=p,-at", "--sort=at", "--sort=T", "--sort=-allocator,+stacktrace",
        "--format json -a", "--format csv -a", "--format folded -a", "--compat=v6.6 -a", "--compat=v6.6 -r",
        "--compat=v6.6 --cull=st,f", "--compat=2014",
    ];

    [Theory]
    [MemberData(nameof(LargeInputOptions))]
    public void Spilled_sort_matches_the_in_memory_sort_on_a_large_input(string args)
    {
        foreach (string budget in new[] { "1", "64K" })
        {
            CompareOnLargeInput(args, budget);
        }
    }

    private static void CompareOnLargeInput(string args, string budget)
    {
        var input = args.Contains("v6.6", StringComparison.Ordinal) ? LargeInput("v6.6-s13.txt")
            : args.Contains("2014", StringComparison.Ordinal) ? LargeInput("2014-s14.txt")
            : LargeInput("modern-s11.txt");
        var inMemory = TestData.Sort(input, "--memory-budget 1G " + args);
        var spilled = TestData.Sort(input, $"--memory-budget {budget} {args}", chunkBytes: 16 << 10);
        Assert.Equal(0, inMemory.Result.SpilledRuns);
        Assert.True(budget != "1" || spilled.Result.SpilledRuns > 10, $"expected many runs, got {spilled.Result.SpilledRuns}");
        Assert.Equal(inMemory.Result.LoadedRecords, spilled.Result.LoadedRecords);
        Assert.Equal(inMemory.Result.Groups, spilled.Result.Groups);
        TestData.AssertSameLines(inMemory.Output, spilled.Output, $"sort {args}, in memory vs spilled with a {budget} budget");
    }

    [Theory]
    [InlineData("-p")]
    [InlineData("--cull=pid")]
    [InlineData("--cull=pid,st -m")]
    [InlineData("-P")]
    public void Pids_that_wrap_page_owner_sorts_int_difference_sort_as_in_memory(string args)
    {
        // 2147483647 - (-1) wraps in a C int: the comparator stops being an order and only the
        // in-memory algorithm reproduces glibc's outcome, which the external sort falls back to.
        var records = new StringBuilder();
        int[] pids = [5, 2147483647, -1, 7, -2147483648, 0, 2147483647, 300, -1, 12];
        for (int i = 0; i < 60; i++)
        {
            int pid = pids[i % pids.Length];
            records.Append(CultureInvariant($"Page allocated via order {i % 3}, mask 0xcc0(GFP_KERNEL), pid {pid}, tgid {pid}, ts {1000 + (i % 7)} ns\n"));
            records.Append(CultureInvariant($" frame_{i % 4}+0x10/0x20\n common+0x1/0x2\n\n"));
        }

        var input = Encoding.ASCII.GetBytes(records.ToString());
        var inMemory = TestData.Sort(input, "--memory-budget 1G " + args);
        var spilled = TestData.Sort(input, "--memory-budget 1K " + args, chunkBytes: 1 << 10);
        Assert.True(spilled.Result.SpilledRuns > 1);
        TestData.AssertSameLines(inMemory.Output, spilled.Output, $"sort {args} with wrapping pids");
    }

    [Fact]
    public void Spill_files_are_gone_after_success_and_after_a_failed_write()
    {
        var directory = Directory.CreateTempSubdirectory("pageext-spill-test-");
        try
        {
            var options = SortCommandLine.Parse(["--memory-budget", "4K", "-a", "-", "-"]).Options!;
            options.SpillDirectory = directory.FullName;
            var input = LargeInput("modern-s11.txt", copies: 4);

            using (var source = DumpSource.Wrap(new MemoryStream(input), ownsStream: true))
            {
                var result = SortReport.Run(options, source, new MemoryStream(), new DiagnosticLog(), chunkBytes: 16 << 10);
                Assert.True(result.SpilledRuns > 1);
            }

            Assert.Empty(directory.GetFiles());

            using (var source = DumpSource.Wrap(new MemoryStream(input), ownsStream: true))
            {
                Assert.Throws<IOException>(() => SortReport.Run(options, source, new FailingStream(), new DiagnosticLog(), chunkBytes: 16 << 10));
            }

            Assert.Empty(directory.GetFiles());
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Theory]
    [InlineData("0")]
    [InlineData("12Q")]
    [InlineData("-5M")]
    [InlineData("")]
    public void A_bad_memory_budget_is_a_usage_error(string value)
    {
        var parsed = SortCommandLine.Parse(["--memory-budget", value, "-", "-"]);
        Assert.Null(parsed.Options);
        Assert.Equal(1, parsed.ExitCode);
        Assert.Contains("--memory-budget", parsed.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// A golden input repeated with every copy's timestamps and pids shifted a little: many distinct
    /// records, many equal timestamps across copies (the ties compare_ts decides), and groups that
    /// recur in every run.
    /// </summary>
    private static byte[] LargeInput(string name, int copies = 24)
    {
        var text = Encoding.UTF8.GetString(TestData.ReadInput(name));
        var output = new StringBuilder(text.Length * copies);
        for (int copy = 0; copy < copies; copy++)
        {
            output.Append(copy % 3 == 0 ? text : text
                .Replace(", ts 2", CultureInvariant($", ts {copy % 5}2"), StringComparison.Ordinal)
                .Replace("pid 1", CultureInvariant($"pid {copy % 4}1"), StringComparison.Ordinal));
        }

        return Encoding.UTF8.GetBytes(output.ToString());
    }

    private static string CultureInvariant(FormattableString text) => FormattableString.Invariant(text);

    private sealed class FailingStream : MemoryStream
    {
        public override void Write(byte[] buffer, int offset, int count) => throw new IOException("disk full");

        public override void Write(ReadOnlySpan<byte> buffer) => throw new IOException("disk full");
    }
}
