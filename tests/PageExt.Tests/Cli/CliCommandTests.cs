using PageExt.Cli;
using PageExt.Cli.Commands;

namespace PageExt.Tests.Cli;

/// <summary>The commands, run in-process with captured output.</summary>
public class CliCommandTests
{
    private static (int Exit, string Stdout, string Stderr) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int exit = CommandTable.Run(args, new CliContext(stdout, stderr));
        return (exit, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public void Demo_prints_buddyinfo_and_pagetypeinfo()
    {
        var (exit, stdout, _) = Run("demo", "--memory", "256M", "--steps", "5000");
        Assert.Equal(0, exit);
        Assert.Contains("# /proc/buddyinfo\nNode 0, zone      DMA ", stdout, StringComparison.Ordinal);
        Assert.Contains("Page block order: 9\nPages per block:  512\n", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void A_run_is_the_same_every_time_for_the_same_command_line_and_seed()
    {
        string[] args = ["demo", "--memory", "128M", "--steps", "20000", "--seed", "9", "--cmdline", "page_owner=on"];
        var first = Run(args);
        var second = Run(args);
        Assert.Equal(0, first.Exit);
        Assert.Equal(first.Stdout, second.Stdout);
        Assert.NotEqual(first.Stdout, Run(["demo", "--memory", "128M", "--steps", "20000", "--seed", "10", "--cmdline", "page_owner=on"]).Stdout);
    }

    [Fact]
    public void Run_replays_a_workload_file_and_writes_the_dump_with_the_named_sites()
    {
        string workload = Path.GetTempFileName();
        string dump = Path.GetTempFileName();
        try
        {
            File.WriteAllText(workload, """
                # two slab pages and a page cache page; one slab page is freed again
                alloc s1 0 GFP_KERNEL|__GFP_COMP kmem_cache_alloc
                alloc s2 1 0xcc0 kmem_cache_alloc
                alloc p1 0 GFP_HIGHUSER_MOVABLE filemap_fault
                free s1 kmem_cache_free
                """);
            var (exit, _, stderr) = Run("run", "--memory", "128M", "--cmdline", "page_owner=on", "--workload", workload, "--page-owner", dump);
            Assert.Equal(0, exit);
            Assert.Contains("3 allocations, 0 failed, 1 frees", stderr, StringComparison.Ordinal);
            string text = File.ReadAllText(dump);
            Assert.Contains(" Workload.filemap_fault+0x", text, StringComparison.Ordinal);
            Assert.Contains("Page allocated via order 1, mask 0xcc0(GFP_KERNEL)", text, StringComparison.Ordinal);
            Assert.Equal(1, text.Split(" Workload.kmem_cache_alloc+0x").Length - 1);
        }
        finally
        {
            File.Delete(workload);
            File.Delete(dump);
        }
    }

    [Fact]
    public void Run_reports_each_bad_workload_line_and_keeps_the_good_ones()
    {
        string workload = Path.GetTempFileName();
        try
        {
            File.WriteAllText(workload, "alloc a 0 GFP_KERNEL site\nalloc b 99 GFP_KERNEL site\nfree nope site\njunk\nalloc a 0 GFP_KERNEL again\n");
            var (exit, stdout, stderr) = Run("run", "--memory", "128M", "--workload", workload);
            Assert.Equal(0, exit);
            Assert.Contains("line 2: order '99' is not 0..10", stderr, StringComparison.Ordinal);
            Assert.Contains("line 3: block 'nope' is not allocated at this point", stderr, StringComparison.Ordinal);
            Assert.Contains("line 4: unknown operation 'junk'", stderr, StringComparison.Ordinal);
            Assert.Contains("line 5: block 'a' is already allocated and not freed", stderr, StringComparison.Ordinal);
            Assert.Contains("1 allocations", stderr, StringComparison.Ordinal);
            Assert.Contains("Node 0, zone", stdout, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(workload);
        }
    }

    [Theory]
    [InlineData(new[] { "run", "--page-owner", "-" }, "need page_owner=on")]
    [InlineData(new[] { "run", "--workload", "/nonexistent/workload" }, "cannot open workload '/nonexistent/workload': no such file")]
    [InlineData(new[] { "run", "--page-owner-format", "1999" }, "Argument '1999' not recognized. Must be one of:\n\t'modern'\n\t'2014'")]
    [InlineData(new[] { "demo", "--cmdline", "page_owner=perhaps" }, "page_owner: 'perhaps' is not a boolean")]
    [InlineData(new[] { "demo", "--memory", "12Q" }, "--memory takes a size")]
    [InlineData(new[] { "nosuchcommand" }, "Unrecognized command or argument 'nosuchcommand'")]
    public void Bad_invocations_fail_with_a_specific_message(string[] args, string message)
    {
        var (exit, _, stderr) = Run(args);
        Assert.NotEqual(0, exit);
        Assert.Contains(message, stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Params_prints_effective_settings_and_the_markdown_table()
    {
        var (exit, stdout, stderr) = Run("params", "--cmdline", "page_owner=1 disable_debug_pagealloc mystery=3");
        Assert.Equal(0, exit);
        Assert.Contains("page_owner=on\n", stdout.Replace("\r", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Contains("debug_pagealloc=off", stdout, StringComparison.Ordinal);
        Assert.Contains("mystery=3", stderr, StringComparison.Ordinal);
        var (_, table, _) = Run("params", "--markdown");
        Assert.StartsWith("| Parameter | Values | Default | Origin | Description |", table, StringComparison.Ordinal);
    }
}

/// <summary>What `pageext run` writes is what `pageext sort` and the kernel's tool read.</summary>
public class DumpRoundTripTests
{
    [Theory]
    [InlineData("modern")]
    [InlineData("2014")]
    public void Our_dump_sorts_without_a_single_warning(string format)
    {
        string dump = Path.GetTempFileName();
        string sorted = Path.GetTempFileName();
        try
        {
            var stdout = new StringWriter();
            var stderr = new StringWriter();
            var context = new CliContext(stdout, stderr);
            Assert.Equal(0, CommandTable.Run(["run", "--memory", "128M", "--steps", "4000", "--cmdline", "page_owner=on", "--page-owner", dump, "--page-owner-format", format], context));
            var sortErr = new StringWriter();
            string[] args = format == "2014" ? ["sort", "--compat=2014", dump, sorted] : ["sort", dump, sorted];
            Assert.Equal(0, CommandTable.Run(args, new CliContext(new StringWriter(), sortErr)));
            Assert.DoesNotContain("line ", sortErr.ToString(), StringComparison.Ordinal);
            Assert.DoesNotContain("skipped", sortErr.ToString(), StringComparison.Ordinal);
            string report = File.ReadAllText(sorted);
            Assert.Contains(format == "2014" ? " times:\n" : " times, ", report, StringComparison.Ordinal);
            Assert.Contains("Workload.page_cache_ra_order", report, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(dump);
            File.Delete(sorted);
        }
    }
}
