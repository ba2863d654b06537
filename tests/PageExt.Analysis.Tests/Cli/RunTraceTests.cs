using System.Text.RegularExpressions;
using PageExt.Cli;
using PageExt.Cli.Commands;

namespace PageExt.Analysis.Tests.Cli;

/// <summary>`pageext run --trace`: the kmem trace of a run, and (once `pageext trace` is in) the run's page_owner dump rebuilt from it.</summary>
public sealed partial class RunTraceTests : IDisposable
{
    private const string TraceCmdline = "page_owner=on trace_event=kmem trace_options=stacktrace,record-tgid trace_buf_size=64M";
    private readonly string _folder = Directory.CreateTempSubdirectory("pageext-run-trace-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static (int Exit, string Stdout, string Stderr) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int exit = CommandTable.Run(args, new CliContext(stdout, stderr, () => new MemoryStream()));
        return (exit, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public void Run_writes_the_trace_file_with_the_nop_tracer_header_and_every_event()
    {
        string trace = Path.Combine(_folder, "trace.txt");
        var (exit, _, stderr) = Run("run", "--cmdline", TraceCmdline, "--steps", "3000", "--trace", trace);
        Assert.True(exit == 0, stderr);

        var lines = File.ReadAllLines(trace);
        Assert.Equal("# tracer: nop", lines[0]);
        var counts = Regex.Match(stderr, @"(?<allocs>\d+) allocations, .* (?<frees>\d+) frees");
        Assert.Equal(int.Parse(counts.Groups["allocs"].Value), lines.Count(l => l.Contains("] ..... ", StringComparison.Ordinal) && l.Contains(": mm_page_alloc: ", StringComparison.Ordinal)));
        Assert.Equal(int.Parse(counts.Groups["frees"].Value), lines.Count(l => l.Contains(": mm_page_free: ", StringComparison.Ordinal)));

        // The first unmovable allocation claims a movable pageblock; every refill takes blocks under the zone lock.
        Assert.Contains(lines, l => l.Contains(": mm_page_alloc_extfrag: ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains(": mm_page_alloc_zone_locked: ", StringComparison.Ordinal) && l.EndsWith(" percpu_refill=1", StringComparison.Ordinal));
        int events = lines.Count(l => l.Contains("] ..... ", StringComparison.Ordinal) && l.Contains(": mm_page_", StringComparison.Ordinal));
        Assert.Equal(events, lines.Count(l => l.EndsWith(": <stack trace>", StringComparison.Ordinal)));
    }

    [Fact]
    public void Replaying_a_runs_trace_writes_each_of_its_extfrag_events_as_a_fallback_row()
    {
        string trace = Path.Combine(_folder, "trace.txt");
        string csv = Path.Combine(_folder, "fallbacks.csv");
        var run = Run("run", "--cmdline", "trace_event=kmem:mm_page_alloc,kmem:mm_page_free,kmem:mm_page_alloc_extfrag trace_buf_size=64M", "--steps", "20000", "--trace", trace);
        Assert.True(run.Exit == 0, run.Stderr);
        var replay = Run("trace", trace, "-o", Path.Combine(_folder, "dump.txt"), "--extfrag", csv);
        Assert.True(replay.Exit == 0, replay.Stderr);

        var extfrag = File.ReadLines(trace).Where(l => l.Contains(": mm_page_alloc_extfrag: ", StringComparison.Ordinal)).ToList();
        var rows = File.ReadAllLines(csv).Skip(1).Select(r => r.Split(',')).ToList();
        Assert.NotEmpty(extfrag);
        Assert.Equal(extfrag.Count, rows.Count);

        // The first fallback of a fresh machine is an unmovable request claiming a movable block.
        Assert.Equal(["Unmovable", "Movable", "0", "1", "Movable", "Unmovable"], rows[0][7..]);
        Assert.All(rows.Where(r => r[10] == "1"), r => Assert.Equal(r[7], r[12]));
        Assert.All(rows.Where(r => r[10] == "0"), r => Assert.Equal(r[11], r[12]));
    }

    [Fact]
    public void Run_with_trace_but_no_event_enabled_is_a_usage_error_that_names_trace_event()
    {
        string trace = Path.Combine(_folder, "trace.txt");
        var (exit, _, stderr) = Run("run", "--cmdline", "trace_options=stacktrace", "--steps", "10", "--trace", trace);
        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Contains("--trace needs a kmem page event on the command line", stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(trace));
    }

    [Fact]
    public void An_unknown_trace_event_refuses_the_boot_naming_it()
    {
        var (exit, _, stderr) = Run("run", "--cmdline", "trace_event=kmem:mm_page_alloc,kmem:kmalloc", "--steps", "10");
        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Contains("trace_event: 'kmem:kmalloc' not understood", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
    }

    /// <summary>
    /// The round trip: the run's trace, replayed by `pageext trace`, gives the run's own page_owner
    /// dump, record for record (pfn, order, mask, pid, tgid (record-tgid), comm, page and block type, stack), less
    /// the pages allocated before tracing could start (page_ext's tables, early_stack). Only ts
    /// differs: the trace prints microseconds of its own clock read.
    /// </summary>
    [Fact]
    public void A_runs_trace_replayed_by_pageext_trace_gives_the_runs_page_owner_dump()
    {
        string trace = Path.Combine(_folder, "trace.txt");
        string dump = Path.Combine(_folder, "dump.txt");
        string rebuilt = Path.Combine(_folder, "rebuilt.txt");
        var run = Run("run", "--cmdline", TraceCmdline, "--steps", "20000", "--trace", trace, "--page-owner", dump);
        Assert.True(run.Exit == 0, run.Stderr);
        var replay = Run("trace", trace, "-o", rebuilt);
        Assert.True(replay.Exit == 0, replay.Stderr);
        Assert.DoesNotContain("note:", replay.Stderr, StringComparison.Ordinal);

        var expected = Records(dump).Where(r => !r.EndsWith("\n early_stack+0x0/0x0", StringComparison.Ordinal)).ToList();
        var actual = Records(rebuilt).ToList();
        Assert.True(expected.Count > 1000, $"the run left {expected.Count} records");
        Assert.Equal(expected, actual);
    }

    /// <summary>
    /// Batch frees (a workload's release lines) trace mm_page_free and then mm_page_free_batched for
    /// each block, as v6.x does; the replay frees the block at the first and notes the second, and
    /// still gives the run's dump.
    /// </summary>
    [Fact]
    public void A_workload_with_batch_frees_replays_to_its_page_owner_dump_with_every_event_on()
    {
        string workload = Path.Combine(_folder, "w.txt");
        var lines = new List<string>();
        for (int i = 0; i < 400; i++)
        {
            lines.Add($"alloc b{i} {i % 5} {(i % 2 == 0 ? "GFP_KERNEL" : "GFP_HIGHUSER_MOVABLE")} site_{i % 7}");
        }

        lines.Add("release " + string.Join(' ', Enumerable.Range(0, 100).Select(i => $"b{i}")) + " shrink_folio_list");
        lines.AddRange(Enumerable.Range(100, 50).Select(i => $"free b{i} put_page"));
        lines.Add("release " + string.Join(' ', Enumerable.Range(150, 100).Select(i => $"b{i}")) + " tlb_finish_mmu");
        File.WriteAllText(workload, string.Join('\n', lines) + "\n");
        string trace = Path.Combine(_folder, "trace.txt");
        string dump = Path.Combine(_folder, "dump.txt");
        string rebuilt = Path.Combine(_folder, "rebuilt.txt");

        var run = Run("run", "--cmdline", TraceCmdline, "--workload", workload, "--trace", trace, "--page-owner", dump);
        Assert.True(run.Exit == 0, run.Stderr);
        var replay = Run("trace", trace, "-o", rebuilt);
        Assert.True(replay.Exit == 0, replay.Stderr);

        int batched = File.ReadLines(trace).Count(l => l.Contains(": mm_page_free_batched: ", StringComparison.Ordinal));
        Assert.Equal(160, batched);
        var note = Assert.Single(replay.Stderr.Split('\n'), l => l.Contains("note:", StringComparison.Ordinal));
        Assert.EndsWith($"note: {batched} mm_page_free_batched of pages already freed by mm_page_free (newer kernels trace both for one free)", note.TrimEnd());
        var expected = Records(dump).Where(r => !r.EndsWith("\n early_stack+0x0/0x0", StringComparison.Ordinal)).ToList();
        Assert.Equal(150, expected.Count);
        Assert.Equal(expected, Records(rebuilt).ToList());
    }

    /// <summary>A dump's records, each with its ts and page flags (which a trace cannot carry) blanked.</summary>
    private static IEnumerable<string> Records(string path) =>
        File.ReadAllText(path).Split("\n\n", StringSplitOptions.RemoveEmptyEntries)
            .Select(r => Flags().Replace(Timestamp().Replace(r.Trim('\n'), ", ts _ ns"), " Flags _"));

    [GeneratedRegex(@", ts \d+ ns")]
    private static partial Regex Timestamp();

    [GeneratedRegex(@" Flags 0x[0-9a-f]+\([^)]*\)")]
    private static partial Regex Flags();
}
