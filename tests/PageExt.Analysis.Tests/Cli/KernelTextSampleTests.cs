using PageExt.Cli;

namespace PageExt.Analysis.Tests.Cli;

/// <summary>
/// Every real sample in tests/samples goes through the command that reads its kind: a well-formed file
/// gives exit 0 and no warning; a malformed one (mail wrapping, documentation elisions) gives exit 0
/// and the warning that names its line. Lines starting with '#' are the collector's annotations, not
/// kernel output (tests/samples/README.md), and are removed first, as the samples' notes ask.
/// </summary>
public sealed class KernelTextSampleTests
{
    public static TheoryData<string, string, string?> Samples => new()
    {
        { "2007-mm-mel-gorman-fallback-record-and-mixed-blocks.txt", "sort", "line 7: skipped: lines 7-9 do not start with \"Page allocated via\"" },
        { "2008-linux-mm-pre-mainline-record-fragment.txt", "sort", null },
        { "2015-linux-mm-gioh-kim-pagetypeinfo-mixed-blocks-3.16.txt", "report", "line 1: repaired: goes on at line 2 (wrapped, as mail clients do); joined" },
        { "2015-lkml-cat-page_owner-order5-allocation-failure-4.2-rc7.txt", "dmesg", null },
        { "2015-lkml-sorted_page_owner-4.2-rc7.txt", "top", null },
        { "2015-lkml-vbabka-record-with-migrate-reason-4.4.txt", "sort", null },
        { "2016-linux-mm-senozhatsky-bad-page-state-4.7-rc5.txt", "top", null },
        { "2019-linux-mm-qian-cai-arm64-kasan-caller-id-5.2-rc2.txt", "top", "line 75: repaired: the allocation line goes on at line 76" },
        { "2019-linux-mm-qian-cai-ppc64le-migration-failure-5.1-next.txt", "top", "line 12: repaired: the allocation line goes on at line 13" },
        { "2021-flamegraph-stackcollapse-pageowner-example-5.13.txt", "sort", null },
        { "2021-lkml-ia64-pagealloc-memory-corruption-with-page_owner-5.12.txt", "top", "line 20: repaired: the allocation line goes on at line 21" },
        { "2022-bugzilla-215389-ppc32-pagealloc-memory-corruption-5.19.txt", "dmesg", null },
        { "2022-lkml-shenghong-han-page_owner_sort-cull-allocator-output-5.19.txt", "top", null },
        { "2022-lkml-syzbot-kasan-watch_queue-5.19-rc8.txt", "top", null },
        { "2022-lkml-waiman-long-memcg-record-5.17-rc.txt", "sort", null },
        { "2006-linux-mm-clameter-zoneinfo-2.6.18.txt", "report", null },
        { "2012-linux-mm-luto-zoneinfo-3.6.txt", "report", null },
        { "2019-linux-mm-hildenbrand-unpopulated-zones-5.3.txt", "report", null },
        { "2025-github-quic-crash-plugins-pageowner-examples-android.txt", "sort", null },
        { "2025-github-quic-crash-plugins-pageowner-examples-android.txt", "top", null },
        { "2025-github-quic-crash-plugins-pageowner-examples-android.txt", "report", null },
        { "2024-kernel-doc-page_owner_stacks-examples-v6.9+.txt", "top", "line 1: skipped: not a page_owner_stacks line: 'cat /sys/kernel/debug/page_owner_stacks/show_stacks > stacks.txt'" },
        { "2024-linux-pm-syzbot-kasan-negative-tgid-6.9-rc4.txt", "top", null },
        { "2024-lkml-samsung-dump_page_owner-arm64.txt", "top", null },
        { "2025-lkml-mediatek-android-6.12-cma-records.txt", "sort", null },
        { "2025-netdev-syzbot-kasan-br_multicast-6.16-rc2.txt", "top", null },
        { "2025-syzbot-kasan-dump_page_owner.txt", "top", null },
        { "2026-blog-mfo-v6.19-page_owner-record.txt", "sort", null },
        { "2026-blog-mfo-v6.19-show_handles-entry.txt", "top", null },
        { "2026-blog-mfo-v6.19-show_stacks-entry.txt", "top", null },
        { "2026-blog-mfo-v6.19-show_stacks_handles-entry.txt", "top", null },
        { "dmesg-page_ext-and-early-allocated-lines.txt", "dmesg", null },
        { "linux-6.18-buddyinfo.txt", "report", null },
        { "linux-6.18-pagetypeinfo.txt", "report", null },
        { "linux-6.18-zoneinfo-head.txt", "report", null },
    };

    [Theory]
    [MemberData(nameof(Samples))]
    public void Each_sample_is_read_by_its_command(string sample, string command, string? warning)
    {
        var (exit, _, stderr) = Run(sample, command);
        Assert.True(exit == 0, $"{sample}: exit {exit}: {stderr}");
        var warnings = stderr.Split('\n').Where(IsWarning).ToList();
        if (warning is null)
        {
            Assert.True(warnings.Count == 0, $"{sample}: unexpected warnings:\n{string.Join('\n', warnings)}");
        }
        else
        {
            Assert.Contains(warnings, w => w.Contains(warning, StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Every_sample_in_the_folder_has_a_row()
    {
        var listed = Samples.Select(row => (string)row[0]).ToHashSet();
        var files = Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "samples"), "*.txt").Select(Path.GetFileName);
        var missing = files.Where(f => !listed.Contains(f!)).ToList();
        Assert.True(missing.Count == 0, $"samples with no row: {string.Join(", ", missing)}");
    }

    /// <summary>A text given to a command that does not read it fails in one line naming its kind and the commands that do, exit 2.</summary>
    [Theory]
    [InlineData("linux-6.18-zoneinfo-head.txt", "top", "/proc/zoneinfo, not page_owner records; `pageext report` draws it")]
    [InlineData("2012-linux-mm-luto-zoneinfo-3.6.txt", "sort", "/proc/zoneinfo, not page_owner records; `pageext report` draws it")]
    public void A_sample_given_to_a_command_that_does_not_read_it_fails_in_one_named_line(string sample, string command, string message)
    {
        var (exit, _, stderr) = Run(sample, command);
        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.Contains(message, stderr.Split('\n').Last(l => l.Length > 0), StringComparison.Ordinal);
    }

    private static bool IsWarning(string line) =>
        line.Contains(": skipped: ", StringComparison.Ordinal) || line.Contains(": repaired: ", StringComparison.Ordinal)
        || line.Contains(": kept: ", StringComparison.Ordinal) || line.Contains(": summary: ", StringComparison.Ordinal);

    private static (int Exit, string Stdout, string Stderr) Run(string sample, string command)
    {
        var text = string.Concat(File.ReadAllLines(TestData.Sample(sample)).Where(l => !l.StartsWith('#')).Select(l => l + "\n"));
        string output = Path.Combine(Path.GetTempPath(), $"pageext-sample-{Guid.NewGuid():N}.html");
        try
        {
            string[] args = command switch
            {
                "sort" => ["sort", "-", "-"],
                "report" => ["report", "-", "-o", output],
                _ => [command, "-"],
            };
            return CliRun.WithStdin(text, args);
        }
        finally
        {
            File.Delete(output);
        }
    }
}
