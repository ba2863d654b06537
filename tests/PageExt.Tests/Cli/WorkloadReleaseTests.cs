using PageExt.Cli;
using PageExt.Cli.Commands;
using PageExt.Tests.Trace;

namespace PageExt.Tests.Cli;

/// <summary>A workload's <c>release</c> line: one batch free (release_pages) of the blocks it names, from its site.</summary>
public sealed class WorkloadReleaseTests : IDisposable
{
    private const string Workload = "alloc a 0 GFP_KERNEL f\nalloc b 2 GFP_KERNEL f\nalloc c 5 GFP_KERNEL f\nrelease a b c shrink_folio_list\n";
    private readonly string _folder = Directory.CreateTempSubdirectory("pageext-release-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private (int Exit, string Stderr) Run(string workload, params string[] extra)
    {
        string path = Path.Combine(_folder, "w.txt");
        File.WriteAllText(path, workload);
        var stderr = new StringWriter();
        int exit = CommandTable.Run(["run", "--memory", "64M", "--workload", path, .. extra], new CliContext(new StringWriter(), stderr));
        return (exit, stderr.ToString());
    }

    [Fact]
    public void A_release_frees_every_block_it_names_and_traces_mm_page_free_batched_for_those_the_per_cpu_lists_take()
    {
        string trace = Path.Combine(_folder, "trace.txt");
        var (exit, stderr) = Run(Workload, "--cmdline", "trace_event=kmem:mm_page_alloc,kmem:mm_page_free,kmem:mm_page_free_batched trace_options=stacktrace", "--trace", trace);
        Assert.True(exit == 0, stderr);
        Assert.Contains("4 operations: 3 allocations, 0 failed, 3 frees", stderr, StringComparison.Ordinal);

        var events = TraceText.Parse(File.ReadAllText(trace)).Events;
        var allocs = events.Where(e => e.Name == "mm_page_alloc").ToDictionary(e => e.Order, e => e.Pfn);
        Assert.Equal(
            [("mm_page_free", allocs[0]), ("mm_page_free_batched", allocs[0]), ("mm_page_free", allocs[2]), ("mm_page_free_batched", allocs[2]), ("mm_page_free", allocs[5])],
            events.Where(e => e.Name != "mm_page_alloc").Select(e => (e.Name, e.Pfn)));
        Assert.All(events.Where(e => e.Name == "mm_page_free_batched"), e =>
        {
            Assert.Equal(0, e.Order);
            Assert.Equal("free_unref_folios+0x0/0x0", e.Stack[0]);
            Assert.Contains(e.Stack, f => f.StartsWith("Workload.shrink_folio_list+", StringComparison.Ordinal));
        });
        Assert.Empty(TraceText.Parse(File.ReadAllText(trace)).Replay());
    }

    [Fact]
    public void A_recorded_run_writes_a_release_back_as_one_release_line()
    {
        string record = Path.Combine(_folder, "record.txt");
        var (exit, stderr) = Run(Workload, "--record", record);
        Assert.True(exit == 0, stderr);
        Assert.EndsWith("\nrelease a b c shrink_folio_list\n", File.ReadAllText(record), StringComparison.Ordinal);
    }

    [Fact]
    public void A_release_naming_a_block_whose_allocation_failed_frees_the_others_and_counts_it_skipped()
    {
        var (exit, stderr) = Run("alloc a 0 GFP_KERNEL f\n"
            + string.Concat(Enumerable.Range(0, 40).Select(i => $"alloc h{i} 10 GFP_KERNEL|__GFP_NOWARN f\n"))
            + "release a " + string.Join(' ', Enumerable.Range(0, 40).Select(i => $"h{i}")) + " g\n");
        Assert.True(exit == 0, stderr);
        Assert.Matches(@"42 operations: (?<a>\d+) allocations, (?<f>[1-9]\d*) failed, \k<a> frees, \k<f> frees skipped", stderr);
    }
}
