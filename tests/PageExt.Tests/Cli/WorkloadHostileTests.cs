using PageExt.Cli;
using PageExt.Cli.Commands;
using PageExt.Cli.Workloads;
using PageExt.Workloads;

namespace PageExt.Tests.Cli;

/// <summary>Hostile workload files: every bad line is named with its number and skipped; nothing crashes `run`.</summary>
public sealed class WorkloadHostileTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("pageext-workload-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private (int Exit, string Stdout, string Stderr) RunWorkload(string text, params string[] extra) => RunWorkload(text, "64M", extra);

    private (int Exit, string Stdout, string Stderr) RunWorkload(string text, string memory, params string[] extra)
    {
        string path = Path.Combine(_folder, "w.txt");
        File.WriteAllText(path, text);
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int exit = CommandTable.Run(["run", "--memory", memory, "--workload", path, .. extra], new CliContext(stdout, stderr));
        return (exit, stdout.ToString(), stderr.ToString());
    }

    [Theory]
    [InlineData("alloc x 0 __GFP_DMA|__GFP_DMA32 f", "combines zone or mobility modifiers that exclude each other")]
    [InlineData("alloc x 0 __GFP_DMA|__GFP_HIGHMEM f", "exclude each other")]
    [InlineData("alloc x 0 __GFP_MOVABLE|__GFP_RECLAIMABLE f", "exclude each other")]
    [InlineData("alloc x 0 0xffffffff f", "exclude each other")]
    [InlineData("alloc x 0 GFP_KERNEL .ctor", "site '.ctor' is not a function name")]
    [InlineData("alloc x 0 GFP_KERNEL .cctor", "site '.cctor' is not a function name")]
    [InlineData("free a .ctor", "site '.ctor' is not a function name")]
    [InlineData("alloc x 0 GFP_KERNEL 9lives", "is not a function name")]
    [InlineData("alloc x 0 GFP_KERNEL a<b>", "is not a function name")]
    [InlineData("alloc x\0y 0 GFP_KERNEL f", "control character U+0000")]
    [InlineData("alloc x 0 GFP_KERNEL f\0", "control character U+0000")]
    [InlineData("alloc x 0 GFP_KERNEL f\u001b[2J", "control character U+001B")]
    [InlineData("alloc x -1 GFP_KERNEL f", "order '-1' is not 0..10")]
    [InlineData("alloc x 99999999999 GFP_KERNEL f", "is not 0..10")]
    [InlineData("alloc x 0 0x f", "neither a hex mask")]
    [InlineData("alloc x 0", "alloc takes")]
    [InlineData("alloc x 0 0xzz f", "neither a hex mask")]
    [InlineData("release a", "release takes <id> [<id>...] <site>")]
    [InlineData("release a a g", "block 'a' is named twice in one release")]
    [InlineData("release zz g", "block 'zz' is not allocated at this point")]
    [InlineData("release a .ctor", "site '.ctor' is not a function name")]
    public void A_hostile_line_is_named_and_skipped_and_the_rest_runs(string line, string message)
    {
        var (exit, _, stderr) = RunWorkload($"alloc a 0 GFP_KERNEL f\n{line}\nfree a g\n");
        Assert.Equal(0, exit);
        Assert.Contains($"line 2: ", stderr, StringComparison.Ordinal);
        Assert.Contains(message, stderr, StringComparison.Ordinal);
        Assert.Contains("2 operations: 1 allocations, 0 failed, 1 frees", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_line_longer_than_the_limit_is_skipped_unread()
    {
        var (exit, _, stderr) = RunWorkload("alloc a 0 GFP_KERNEL " + new string('f', 1 << 20) + "\nalloc b 0 GFP_KERNEL f\n");
        Assert.Equal(0, exit);
        Assert.Contains($"line 1: line longer than {WorkloadFile.MaxLineChars} characters", stderr, StringComparison.Ordinal);
        Assert.Contains("1 operations: 1 allocations", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Only_bad_lines_exit_2_with_one_line_saying_so()
    {
        var (exit, _, stderr) = RunWorkload("alloc x 0 GFP_KERNEL .ctor\n");
        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.EndsWith("no usable operation in the workload", stderr.TrimEnd(), StringComparison.Ordinal);
    }

    [Fact]
    public void Diagnostics_are_capped_at_fifty_and_the_rest_counted()
    {
        var text = string.Concat(Enumerable.Range(0, 200).Select(i => $"junk{i}\n")) + "alloc a 0 GFP_KERNEL f\n";
        var (exit, _, stderr) = RunWorkload(text);
        Assert.Equal(0, exit);
        Assert.Equal(50, stderr.Split("unknown operation").Length - 1);
        Assert.Contains("150 more 'bad line' diagnostics not shown", stderr, StringComparison.Ordinal);
        Assert.Contains("summary: bad line: 200", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Ten_thousand_distinct_sites_each_keep_their_own_stack()
    {
        const int Sites = 10_000;
        var text = string.Concat(Enumerable.Range(0, Sites).Select(i => $"alloc b{i} 0 GFP_KERNEL site_{i}\n"));
        string stacks = Path.Combine(_folder, "stacks.txt");
        var (exit, _, stderr) = RunWorkload(text, "256M", "--cmdline", "page_owner=on", "--page-owner-stacks", stacks);
        Assert.Equal(0, exit);
        Assert.Contains($"{Sites} operations: {Sites} allocations, 0 failed", stderr, StringComparison.Ordinal);
        string report = File.ReadAllText(stacks);
        Assert.Equal(Sites, report.Split(" Workload.site_").Length - 1);
        Assert.Contains(" Workload.site_9999+0x", report, StringComparison.Ordinal);
        Assert.True(Sites > CallSites.MethodsPerType, "the test must span more than one emitted type");
    }

    [Fact]
    public void Reading_streams_one_line_at_a_time()
    {
        // An endless workload: a reader that loaded the file whole would never return.
        var ops = WorkloadFile.Read(new EndlessWorkload(), (_, message) => Assert.Fail(message)).Take(5).ToList();
        Assert.Equal([1, 2, 3, 4, 5], ops.Select(o => o.Line));
    }

    [Fact]
    public void The_built_in_workload_summarises_its_failed_allocations_in_one_line()
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int exit = CommandTable.Run(["run", "--memory", "64M", "--steps", "20000"], new CliContext(stdout, stderr));
        Assert.Equal(0, exit);
        string[] lines = stderr.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var summary = Assert.Single(lines);
        Assert.Contains("built-in workload", summary, StringComparison.Ordinal);
        Assert.DoesNotContain("line ", summary, StringComparison.Ordinal);
        Assert.DoesNotContain(" 0 failed", summary, StringComparison.Ordinal);
    }

    private sealed class EndlessWorkload : TextReader
    {
        private const string Line = "alloc a 0 GFP_KERNEL f\nfree a g\n";
        private long _position;

        public override int Read() => Line[(int)(_position++ % Line.Length)];
    }
}
