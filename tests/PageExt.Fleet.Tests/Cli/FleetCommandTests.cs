using System.Text;
using PageExt.Cli;
using PageExt.Cli.Commands;

namespace PageExt.Fleet.Tests.Cli;

/// <summary>`pageext export` and `pageext query` as a user runs them: exit codes, one-line errors, files left behind.</summary>
public sealed class FleetCommandTests
{
    private static (int Exit, string Stdout, string Stderr) Run(ICliCommand command, byte[]? stdin, params string[] args)
    {
        var stdout = new StringWriter { NewLine = "\n" };
        var stderr = new StringWriter { NewLine = "\n" };
        int exit = command.Run(args, new CliContext(stdout, stderr, () => new MemoryStream(stdin ?? [])));
        return (exit, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public void Export_then_query_gives_the_same_result_as_a_query_over_the_dump()
    {
        using var directory = new FleetTestData.TempDirectory();
        string dump = FleetTestData.Input("modern-s11.txt");
        string output = Path.Combine(directory.Path, "out");
        var export = Run(new ExportCommand(), null, "-o", output, "--source", "dev1", dump);
        Assert.Equal(0, export.Exit);
        Assert.Equal(["records.parquet", "stacks.parquet"], Directory.GetFiles(output).Select(Path.GetFileName).Order(StringComparer.Ordinal));

        const string sql = "SELECT comm, count(*) AS records, sum(pages) AS pages FROM records GROUP BY comm ORDER BY pages DESC, comm";
        var fromExport = Run(new QueryCommand(), null, "--format", "csv", sql, output);
        var fromDump = Run(new QueryCommand(), File.ReadAllBytes(dump), "--format", "csv", sql, "-");
        Assert.Equal(0, fromExport.Exit);
        Assert.Equal(0, fromDump.Exit);
        Assert.StartsWith("comm,records,pages\n", fromExport.Stdout, StringComparison.Ordinal);
        Assert.Equal(fromExport.Stdout, fromDump.Stdout);
    }

    [Fact]
    public void Export_refuses_to_write_over_an_input()
    {
        using var directory = new FleetTestData.TempDirectory();
        string victim = Path.Combine(directory.Path, "records.parquet");
        File.Copy(FleetTestData.Input("modern-s11.txt"), victim);
        var before = File.ReadAllBytes(victim);
        var (exit, _, stderr) = Run(new ExportCommand(), null, "-o", directory.Path, victim);
        Assert.Equal(1, exit);
        Assert.Contains("is also an input", stderr, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(victim));
        Assert.Single(Directory.GetFiles(directory.Path));
    }

    [Fact]
    public void Export_reports_bad_records_by_line_and_exports_the_rest()
    {
        using var directory = new FleetTestData.TempDirectory();
        var dump = Encoding.ASCII.GetBytes(
            "Page allocated via order 1, mask 0xcc0(GFP_KERNEL), pid 5, tgid 5 (a), ts 10 ns\n f+0x1/0x2\n\n"
            + "\x01\x02 binary junk\n\n"
            + "Page allocated via order 2, mask 0xcc0(GFP_KERNEL), pid 6, tgid 6 (b), ts 11 ns\n g+0x1/0x2\n\n");
        var (exit, _, stderr) = Run(new ExportCommand(), dump, "-o", directory.Path, "-");
        Assert.Equal(0, exit);
        Assert.Contains("pageext export: <stdin>: line 4: skipped:", stderr, StringComparison.Ordinal);
        Assert.Contains("2 records", stderr, StringComparison.Ordinal);
        Assert.Equal("pages\n6\n", Run(new QueryCommand(), null, "--format", "csv", "SELECT sum(pages) AS pages FROM records", directory.Path).Stdout);
    }

    [Fact]
    public void Export_of_something_that_is_not_a_dump_exits_2_and_leaves_no_file()
    {
        using var directory = new FleetTestData.TempDirectory();
        string output = Path.Combine(directory.Path, "out");
        var (exit, _, stderr) = Run(new ExportCommand(), Encoding.ASCII.GetBytes("hello\nworld\n"), "-o", output, "-");
        Assert.Equal(2, exit);
        Assert.Contains("not a page_owner dump", stderr, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(output));
    }

    [Fact]
    public void Query_errors_are_one_line_with_their_exit_code()
    {
        using var directory = new FleetTestData.TempDirectory();
        Run(new ExportCommand(), null, "-o", directory.Path, FleetTestData.Input("modern-s12.txt"));

        var badSql = Run(new QueryCommand(), null, "SELECT nope FROM records", directory.Path);
        Assert.Equal(3, badSql.Exit);
        Assert.Single(badSql.Stderr.TrimEnd('\n').Split('\n'));
        Assert.Contains("nope", badSql.Stderr, StringComparison.Ordinal);

        var missing = Run(new QueryCommand(), null, "SELECT 1", Path.Combine(directory.Path, "missing.txt"));
        Assert.Equal(1, missing.Exit);
        Assert.StartsWith("pageext query: cannot open input", missing.Stderr, StringComparison.Ordinal);

        var usage = Run(new QueryCommand(), null, "--format", "xml", "SELECT 1", directory.Path);
        Assert.Equal(1, usage.Exit);
        Assert.StartsWith("pageext query: unknown --format 'xml'", usage.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Query_rejects_a_parquet_file_it_did_not_write()
    {
        using var directory = new FleetTestData.TempDirectory();
        string foreign = Path.Combine(directory.Path, "foreign.parquet");
        var stdout = Run(new QueryCommand(), null, "--format", "csv",
            $"COPY (SELECT 1 AS x) TO '{foreign}' (FORMAT parquet)", FleetTestData.Input("edge.txt"));
        Assert.Equal(0, stdout.Exit);
        var (exit, _, stderr) = Run(new QueryCommand(), null, "SELECT 1", foreign);
        Assert.Equal(2, exit);
        Assert.Contains("was not written by `pageext export`", stderr, StringComparison.Ordinal);
    }
}
