using PageExt.Analysis.Tests.Cli;
using PageExt.Cli;

namespace PageExt.Analysis.Tests.Crash;

/// <summary>quic/crash-plugins' pageowner output through sort, top and report.</summary>
public sealed class CrashCommandTests
{
    private static (int Exit, string Stdout, string Stderr) Run(string input, params string[] args) => CliRun.WithStdin(input, args);

    /// <summary>The sample's `pageowner -t` entry alone: lines 64-84 of the sample without its annotations.</summary>
    private static string PerStackTotalsOnly()
    {
        var lines = CrashPageOwnerReaderTests.SampleText().Split('\n');
        int start = Array.FindIndex(lines, l => l.Contains("pageowner -t", StringComparison.Ordinal));
        int end = Array.FindIndex(lines, start, l => l.Length == 0);
        return string.Join('\n', lines[start..end]) + "\n";
    }

    [Fact]
    public void Sort_prints_the_alloc_record_as_page_owner_sort_does()
    {
        var (exit, stdout, stderr) = Run(CrashPageOwnerReaderTests.SampleText(), "sort", "-", "-");
        Assert.True(exit == 0, stderr);
        Assert.StartsWith("1 times, 1 pages, allocated by OTHERS :\nPage allocated via order 0, mask 0x0(), pid 68 (kswapd0), ts  ns\n post_alloc_hook+0x20c\n", stdout, StringComparison.Ordinal);
        Assert.Contains(" madvise_vma_behavior.50c4f95024e08bb75653a011da8190a2+0x900\n", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("free_unref_page_prepare", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(": skipped: ", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Top_counts_the_alloc_record_by_stack_and_process_and_notes_what_it_left_out()
    {
        var (exit, stdout, stderr) = Run(CrashPageOwnerReaderTests.SampleText(), "top", "-");
        Assert.True(exit == 0, stderr);
        Assert.StartsWith("1 records, 1 pages", stdout, StringComparison.Ordinal);
        Assert.Contains("pid 68 kswapd0", stdout, StringComparison.Ordinal);
        Assert.Contains("post_alloc_hook+0x20c", stdout, StringComparison.Ordinal);
        Assert.Contains("line 23: note: 1 FREE record (from line 23) of page with no ALLOC record", stderr, StringComparison.Ordinal);
        Assert.Contains("line 64: note: 1 per-stack total (pageowner -t) not added: the ALLOC records count the pages themselves", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Top_of_per_stack_totals_alone_counts_times_as_records_and_memory_as_pages()
    {
        var (exit, stdout, stderr) = Run(PerStackTotalsOnly(), "top", "-");
        Assert.True(exit == 0, stderr);
        Assert.StartsWith("19147 records, 19146 pages = 74.8 MiB", stdout, StringComparison.Ordinal);
        Assert.Contains("el0t_32_sync_handler+0x78", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Sort_of_per_stack_totals_alone_fails_in_one_line_naming_who_reads_them()
    {
        var (exit, _, stderr) = Run(PerStackTotalsOnly(), "sort", "-", "-");
        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.EndsWith("<stdin>: quic/crash-plugins' pageowner output with per-stack totals (pageowner -t) only, not page records; `pageext top`, `diff` and `report` read it\n",
            stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Pageowner_output_with_nothing_to_count_fails_in_one_line()
    {
        var (exit, _, stderr) = Run("crash> pageowner -a\n[1/1] ALLOC: PFN:0x1~0x4 (3 pages, 12KB) Page:0x0 PID:1 [init] 00:00:01.0 (uptime)\n", "top", "-");
        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.Contains("line 2: skipped: 3 pages is not a block the buddy allocator hands out", stderr, StringComparison.Ordinal);
        Assert.EndsWith("<stdin>: quic/crash-plugins' pageowner output with no ALLOC record and no \"Allocated N times\" entry\n", stderr, StringComparison.Ordinal);
    }
}
