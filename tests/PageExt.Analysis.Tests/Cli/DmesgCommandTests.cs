using PageExt.Cli;

namespace PageExt.Analysis.Tests.Cli;

public sealed class DmesgCommandTests
{
    private const string Report =
        "[   14.555768] page dumped because: remapping already mapped page\n"
        + "[   14.556172] page_owner tracks the page as allocated\n"
        + "[   14.556482] page last allocated via order 0, migratetype Unmovable, gfp_mask 0xcc0(GFP_KERNEL), pid 80, tgid 80 (insmod), ts 14552004992, free_ts 0\n"
        + "[   14.557286]  prep_new_page+0xa8/0x10c\n"
        + "[   14.561329] page_owner free stack trace missing\n";

    private static (int Exit, string Stdout, string Stderr) Run(string stdin, params string[] args) => CliRun.WithStdin(stdin, args);

    [Fact]
    public void Dmesg_lists_each_report_with_its_owner()
    {
        var (exit, stdout, stderr) = Run(Report, "dmesg", "-");
        Assert.Equal((0, ""), (exit, stderr));
        Assert.Contains("line 1: dump_page: page dumped because: remapping already mapped page", stdout, StringComparison.Ordinal);
        Assert.Contains("allocated (line 3): order 0, migratetype Unmovable, gfp_mask 0xcc0(GFP_KERNEL), pid 80, tgid 80 (insmod)", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Dmesg_records_are_a_dump_sort_reads()
    {
        var (_, records, _) = Run(Report, "dmesg", "--records", "-");
        var (exit, sorted, stderr) = Run(records, "sort", "-", "-");
        Assert.Equal((0, ""), (exit, stderr));
        Assert.StartsWith("1 times, 1 pages", sorted, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("top")]
    [InlineData("sort")]
    [InlineData("report")]
    public void Commands_read_a_kernel_log_directly(string command)
    {
        string output = Path.Combine(Path.GetTempPath(), $"pageext-dmesg-{Guid.NewGuid():N}.html");
        try
        {
            string[] args = command switch
            {
                "sort" => ["sort", "-", "-"],
                "report" => ["report", "-", "-o", output],
                _ => [command, "-"],
            };
            var (exit, _, stderr) = Run("[    0.000000] Linux version 6.9\n" + Report, args);
            Assert.True(exit == 0, stderr);
        }
        finally
        {
            File.Delete(output);
        }
    }

    [Fact]
    public void A_kernel_log_with_no_report_fails_in_one_line_with_exit_2()
    {
        var (exit, _, stderr) = Run("[    0.000000] Linux version 6.9\n[    0.000001] Command line: quiet\n", "top", "-");
        Assert.Equal(ExitCodes.BadInput, exit);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.EndsWith("<stdin>: a kernel log with no page_owner report in it", line, StringComparison.Ordinal);
    }

    [Fact]
    public void A_page_owner_stacks_file_given_to_sort_is_named_with_the_commands_that_read_it()
    {
        var (exit, _, stderr) = Run(" post_alloc_hook+0x1/0x2\nnr_base_pages: 3\n", "sort", "-", "-");
        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.Contains("a page_owner_stacks file (show_stacks, show_handles or show_stacks_handles), not page_owner records; `pageext top`, `diff` and `report` read it", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Report_draws_buddyinfo_from_a_proc_file()
    {
        string output = Path.Combine(Path.GetTempPath(), $"pageext-buddy-{Guid.NewGuid():N}.html");
        try
        {
            var (exit, _, _) = Run(File.ReadAllText(TestData.Sample("linux-6.18-buddyinfo.txt")), "report", "-", "-o", output);
            Assert.Equal(0, exit);
            Assert.Contains("\"buddy\":[{\"node\":0,\"zone\":\"DMA\",\"free\":[0,0,0,0,0,0,0,0,1,1,3]}", File.ReadAllText(output), StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(output);
        }
    }
}
