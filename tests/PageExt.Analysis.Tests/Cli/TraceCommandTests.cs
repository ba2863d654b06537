using System.Text;
using PageExt.Analysis.Tests.Trace;
using PageExt.Analysis.Trace;
using PageExt.Cli;
using PageExt.Cli.Commands;

namespace PageExt.Analysis.Tests.Cli;

public sealed class TraceCommandTests : IDisposable
{
    private const long Second = 1_000_000_000;
    private readonly string _folder = Directory.CreateTempSubdirectory("pageext-trace-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static (int Exit, string Stdout, string Stderr) Run(string[] args, byte[]? stdin = null)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var context = new CliContext(stdout, stderr, () => new MemoryStream(stdin ?? []));
        int exit = CommandTable.Run(args, context);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    private static byte[] Sample() => Encoding.ASCII.GetBytes(
        "# tracer: nop\n#\n"
        + Ftrace.Alloc("postgres", 4100, 0, 1 * Second, 0x1000, 0, "GFP_HIGHUSER_MOVABLE", 1)
        + Ftrace.Stack("postgres", 4100, 0, 1 * Second, "alloc_pages_mpol+0x1/0x10", "do_anonymous_page+0x2/0x20")
        + Ftrace.Alloc("kworker/1:0", 20, 1, 2 * Second, 0x2000, 2, "GFP_KERNEL|__GFP_COMP")
        + Ftrace.Stack("kworker/1:0", 20, 1, 2 * Second, "kmalloc_large+0x3/0x30")
        + Ftrace.Alloc("postgres", 4100, 0, 3 * Second, 0x1001, 0, "GFP_HIGHUSER_MOVABLE", 1)
        + Ftrace.Stack("postgres", 4100, 0, 3 * Second, "alloc_pages_mpol+0x1/0x10", "do_anonymous_page+0x2/0x20")
        + Ftrace.Free("postgres", 4100, 0, 4 * Second, 0x1001, 0)
        + "garbage in the middle\n"
        + Ftrace.Line("kworker/1:0", 20, 1, 5 * Second, t => KmemEventLayout.AppendExtfrag(t, 0x40000, 0, 3, 9, 0, 1, changeOwnership: false)));

    [Fact]
    public void Stdin_to_stdout_writes_the_dump_and_names_the_bad_line_on_stderr()
    {
        var (exit, stdout, stderr) = Run(["trace", "-"], Sample());
        Assert.Equal(0, exit);
        Assert.Equal(2, stdout.Split('\n').Count(l => l.StartsWith("Page allocated via", StringComparison.Ordinal)));
        Assert.Contains("pageext trace: <stdin>: line 15: no [cpu] column", stderr, StringComparison.Ordinal);
        Assert.Contains("2 blocks held (5 pages), 2 with a stack", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Its_dump_is_read_back_by_sort_and_top_without_a_warning()
    {
        string dump = Path.Combine(_folder, "dump.txt");
        Assert.Equal(0, Run(["trace", "-", "-o", dump], Sample()).Exit);
        var sorted = TestData.Sort(File.ReadAllBytes(dump), "--cull=stacktrace");
        Assert.Equal(0, sorted.Log.Warnings);
        Assert.Equal(2, sorted.Result.LoadedRecords);
        Assert.Contains(" do_anonymous_page+0x2/0x20", sorted.Text, StringComparison.Ordinal);
        var (exit, stdout, stderr) = Run(["top", dump]);
        Assert.Equal(0, exit);
        Assert.Equal(string.Empty, stderr);
        Assert.StartsWith("2 records, 5 pages", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void At_and_extfrag_outputs()
    {
        string dump = Path.Combine(_folder, "at.txt");
        string csv = Path.Combine(_folder, "extfrag.csv");
        var (exit, _, stderr) = Run(["trace", "-", "-o", dump, "--at", "3.5", "--extfrag", csv], Sample());
        Assert.Equal(0, exit);
        Assert.Equal(3, File.ReadAllText(dump).Split('\n').Count(l => l.StartsWith("Page allocated via", StringComparison.Ordinal)));
        Assert.Contains("--at: 2 later events read and not applied", stderr, StringComparison.Ordinal);
        Assert.Single(File.ReadAllLines(csv));
        Assert.Equal(0, Run(["trace", "-", "-o", dump, "--extfrag", csv], Sample()).Exit);
        Assert.Equal(2, File.ReadAllLines(csv).Length);
    }

    [Fact]
    public void A_file_with_no_kmem_event_exits_2_and_keeps_the_old_output()
    {
        string dump = Path.Combine(_folder, "old.txt");
        File.WriteAllText(dump, "old\n");
        var (exit, _, stderr) = Run(["trace", "-", "-o", dump], Encoding.ASCII.GetBytes("# tracer: nop\n#\n"));
        Assert.Equal(2, exit);
        Assert.Contains("no kmem page event", stderr, StringComparison.Ordinal);
        Assert.Equal("old\n", File.ReadAllText(dump));
        Assert.Empty(Directory.GetFiles(_folder, "*.pageext-tmp"));
    }

    [Fact]
    public void Usage_errors_exit_1_with_one_line()
    {
        string input = Path.Combine(_folder, "in.txt");
        File.WriteAllBytes(input, Sample());
        Assert.Equal(1, Run(["trace", Path.Combine(_folder, "missing.txt")]).Exit);
        Assert.Equal(1, Run(["trace", input, "--at", "yesterday"]).Exit);
        var (exit, _, stderr) = Run(["trace", input, "-o", input]);
        Assert.Equal(1, exit);
        Assert.Contains("refusing to write over an input", stderr, StringComparison.Ordinal);
        Assert.Equal(Sample(), File.ReadAllBytes(input));
    }
}
