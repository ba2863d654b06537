using PageExt.Cli;
using PageExt.Cli.Commands;

namespace PageExt.Analysis.Tests.Cli;

public sealed class ReportCommandTests
{
    private static (int Exit, string Stdout, string Stderr) Run(ICliCommand command, params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var context = new CliContext(stdout, stderr, () => new MemoryStream());
        int exit = CommandTable.Run([command.Create(context).Name, .. args], context);
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
    public void Top_usage_errors_exit_1()
    {
        Assert.Equal(1, Run(new TopCommand(), "--limit", "x", "a").Exit);
        Assert.Equal(1, Run(new TopCommand(), "/nonexistent").Exit);
    }

    [Fact]
    public void Diff_exits_2_for_any_trouble_as_diff_1_does()
    {
        Assert.Equal(2, Run(new DiffCommand(), TestData.Input("modern-s12.txt")).Exit);
        Assert.Equal(2, Run(new DiffCommand(), "/nonexistent", "/nonexistent").Exit);
        Assert.Equal(2, Run(new DiffCommand(), "--limit", "x", "a", "b").Exit);
    }
}
