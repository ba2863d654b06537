using PageExt.Cli;
using PageExt.Cli.Commands;

namespace PageExt.Analysis.Tests.Cli;

public sealed class ReportCommandTests
{
    private static (int Exit, string Stdout, string Stderr) Run(ICliCommand command, params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int exit = command.Run(args, new CliContext(stdout, stderr, () => new MemoryStream()));
        return (exit, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public void Top_prints_totals_in_mib()
    {
        var (exit, stdout, stderr) = Run(new TopCommand(), "--limit", "2", TestData.Input("modern-s11.txt"));
        Assert.Equal(0, exit);
        Assert.Equal(string.Empty, stderr);
        Assert.StartsWith("192 records, 6606 pages = 25.8 MiB", stdout, StringComparison.Ordinal);
        Assert.Contains("Top stacks by memory (2 of ", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Diff_of_a_dump_with_itself_shows_no_change()
    {
        string dump = TestData.Input("modern-s12.txt");
        var (exit, stdout, _) = Run(new DiffCommand(), dump, dump);
        Assert.Equal(0, exit);
        Assert.Contains("change: +0 pages", stdout, StringComparison.Ordinal);
        Assert.Contains("Stacks that grew (0 shown)", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Diff_matches_processes_by_name_unless_told_to_match_pid()
    {
        string Record(int tgid) =>
            $"Page allocated via order 1, mask 0xcc0(GFP_KERNEL), pid {tgid}, tgid {tgid} (java), ts 10 ns\nPFN 0x10 type Unmovable Block 0 type Unmovable Flags 0x0()\n f+0x1/0x2\n\n";
        string dir = Directory.CreateTempSubdirectory("pageext-diff-").FullName;
        try
        {
            string boot1 = Path.Combine(dir, "boot1.txt");
            string boot2 = Path.Combine(dir, "boot2.txt");
            File.WriteAllText(boot1, Record(1778));
            File.WriteAllText(boot2, Record(2213) + Record(2213));

            var (exit, stdout, _) = Run(new DiffCommand(), boot1, boot2);
            Assert.Equal(0, exit);
            Assert.Contains("+2      +0.0          2          4         +1  java [1778 -> 2213]\n", stdout, StringComparison.Ordinal);

            (exit, stdout, _) = Run(new DiffCommand(), "--match-pid", boot1, boot2);
            Assert.Equal(0, exit);
            Assert.Contains("Processes (tgid comm) that grew (1 shown):", stdout, StringComparison.Ordinal);
            Assert.Contains("+4      +0.0          0          4         +2  2213 java\n", stdout, StringComparison.Ordinal);
            Assert.Contains("-2      -0.0          2          0         -1  1778 java\n", stdout, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Report_usage_errors_exit_1()
    {
        Assert.Equal(1, Run(new TopCommand(), "--match-pid", TestData.Input("modern-s12.txt")).Exit);
        Assert.Equal(1, Run(new DiffCommand(), TestData.Input("modern-s12.txt")).Exit);
        Assert.Equal(1, Run(new TopCommand(), "--limit", "x", "a").Exit);
        Assert.Equal(1, Run(new TopCommand(), "/nonexistent").Exit);
    }
}
