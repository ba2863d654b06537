using System.Diagnostics;
using System.Text;
using PageExt.Cli;
using PageExt.Cli.Commands;
using PageExt.Cli.Files;

namespace PageExt.Fleet.Tests.Cli;

/// <summary>`pageext export` and `pageext query` as a user runs them: exit codes, one-line errors, files left behind.</summary>
public sealed class FleetCommandTests
{
    private static (int Exit, string Stdout, string Stderr) Run(string command, byte[]? stdin, params string[] args)
    {
        var stdout = new StringWriter { NewLine = "\n" };
        var stderr = new StringWriter { NewLine = "\n" };
        int exit = CommandTable.Run([command, .. args], new CliContext(stdout, stderr, () => new MemoryStream(stdin ?? [])));
        return (exit, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public void Export_then_query_gives_the_same_result_as_a_query_over_the_dump()
    {
        using var directory = new FleetTestData.TempDirectory();
        string dump = FleetTestData.Input("modern-s11.txt");
        string output = Path.Combine(directory.Path, "out");
        var export = Run("export", null, "-o", output, "--source", "dev1", dump);
        Assert.Equal(0, export.Exit);
        Assert.Equal(["records.parquet", "stacks.parquet"], Directory.GetFiles(output).Select(Path.GetFileName).Order(StringComparer.Ordinal));

        const string sql = "SELECT comm, count(*) AS records, sum(pages) AS pages FROM records GROUP BY comm ORDER BY pages DESC, comm";
        var fromExport = Run("query", null, "--format", "csv", sql, output);
        var fromDump = Run("query", File.ReadAllBytes(dump), "--format", "csv", sql, "-");
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
        var (exit, _, stderr) = Run("export", null, "-o", directory.Path, victim);
        Assert.Equal(1, exit);
        Assert.Contains("refusing to write over an input", stderr, StringComparison.Ordinal);
        Assert.Single(stderr.TrimEnd('\n').Split('\n'));
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
        var (exit, _, stderr) = Run("export", dump, "-o", directory.Path, "-");
        Assert.Equal(0, exit);
        Assert.Contains("pageext export: <stdin>: line 4: skipped:", stderr, StringComparison.Ordinal);
        Assert.Contains("2 records", stderr, StringComparison.Ordinal);
        Assert.Equal("pages\n6\n", Run("query", null, "--format", "csv", "SELECT sum(pages) AS pages FROM records", directory.Path).Stdout);
    }

    [Fact]
    public void Export_of_something_that_is_not_a_dump_exits_2_and_leaves_no_file_nor_the_folder_it_created()
    {
        using var directory = new FleetTestData.TempDirectory();
        string output = Path.Combine(directory.Path, "out");
        var (exit, _, stderr) = Run("export", Encoding.ASCII.GetBytes("hello\nworld\n"), "-o", output, "-");
        Assert.Equal(2, exit);
        Assert.Contains("not a page_owner dump", stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(output));
        Assert.Empty(Directory.GetFileSystemEntries(directory.Path));
        Assert.Equal(0, OutputFile.PendingCount);
        Assert.Equal(0, OutputFolder.PendingCount);
    }

    [Fact]
    public void Export_creates_a_nested_layout_and_a_failure_removes_every_folder_it_created()
    {
        using var directory = new FleetTestData.TempDirectory();
        string nested = Path.Combine(directory.Path, "fleet", "date=2026-11-27", "device=a42");
        var failed = Run("export", Encoding.ASCII.GetBytes("not a dump\n"), "-o", nested, "-");
        Assert.Equal(2, failed.Exit);
        Assert.Empty(Directory.GetFileSystemEntries(directory.Path));

        Assert.Equal(0, Run("export", null, "-o", nested, FleetTestData.Input("modern-s11.txt")).Exit);
        Assert.Equal(["records.parquet", "stacks.parquet"], Directory.GetFiles(nested).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal(0, OutputFolder.PendingCount);
    }

    [Fact]
    public void Export_into_an_existing_folder_that_fails_keeps_the_old_files_and_the_folder()
    {
        using var directory = new FleetTestData.TempDirectory();
        Assert.Equal(0, Run("export", null, "-o", directory.Path, FleetTestData.Input("modern-s11.txt")).Exit);
        var before = File.ReadAllBytes(Path.Combine(directory.Path, "records.parquet"));
        var (exit, _, _) = Run("export", Encoding.ASCII.GetBytes("not a dump\n"), "-o", directory.Path, "-");
        Assert.Equal(2, exit);
        Assert.Equal(before, File.ReadAllBytes(Path.Combine(directory.Path, "records.parquet")));
        Assert.Equal(["records.parquet", "stacks.parquet"], Directory.GetFiles(directory.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Export_checks_its_inputs_and_folder_before_any_work()
    {
        using var directory = new FleetTestData.TempDirectory();
        string output = Path.Combine(directory.Path, "out");
        var missing = Run("export", null, "-o", output, FleetTestData.Input("modern-s11.txt"), Path.Combine(directory.Path, "missing.txt"));
        Assert.Equal(1, missing.Exit);
        Assert.StartsWith("pageext export: cannot open input", missing.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(output));

        string file = Path.Combine(directory.Path, "file");
        File.WriteAllText(file, "x");
        var notFolder = Run("export", null, "-o", file, FleetTestData.Input("modern-s11.txt"));
        Assert.Equal(1, notFolder.Exit);
        Assert.Contains("it is a file, not a folder", notFolder.Stderr, StringComparison.Ordinal);

        var underFile = Run("export", null, "-o", Path.Combine(file, "out"), FleetTestData.Input("modern-s11.txt"));
        Assert.Equal(1, underFile.Exit);
        Assert.Contains("is a file, not a folder", underFile.Stderr, StringComparison.Ordinal);

        var noOutput = Run("export", null, FleetTestData.Input("modern-s11.txt"));
        Assert.Equal(1, noOutput.Exit);
        Assert.Contains("--output", noOutput.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Query_errors_are_one_line_with_their_exit_code()
    {
        using var directory = new FleetTestData.TempDirectory();
        Run("export", null, "-o", directory.Path, FleetTestData.Input("modern-s12.txt"));

        var badSql = Run("query", null, "SELECT nope FROM records", directory.Path);
        Assert.Equal(1, badSql.Exit);
        Assert.StartsWith("pageext query: ", badSql.Stderr, StringComparison.Ordinal);
        Assert.Single(badSql.Stderr.TrimEnd('\n').Split('\n'));
        Assert.Contains("nope", badSql.Stderr, StringComparison.Ordinal);

        var missing = Run("query", null, "SELECT 1", Path.Combine(directory.Path, "missing.txt"));
        Assert.Equal(1, missing.Exit);
        Assert.StartsWith("pageext query: cannot open input", missing.Stderr, StringComparison.Ordinal);

        var usage = Run("query", null, "--format", "xml", "SELECT 1", directory.Path);
        Assert.Equal(1, usage.Exit);
        Assert.Contains("'xml'", usage.Stderr, StringComparison.Ordinal);
        Assert.Empty(usage.Stdout);
    }

    [Fact]
    public void Query_rejects_a_parquet_file_it_did_not_write()
    {
        using var directory = new FleetTestData.TempDirectory();
        string foreign = Path.Combine(directory.Path, "foreign.parquet");
        var stdout = Run("query", null, "--format", "csv",
            $"COPY (SELECT 1 AS x) TO '{foreign}' (FORMAT parquet)", FleetTestData.Input("edge.txt"));
        Assert.Equal(0, stdout.Exit);
        var (exit, _, stderr) = Run("query", null, "SELECT 1", foreign);
        Assert.Equal(2, exit);
        Assert.Contains("was not written by `pageext export`", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sort_whose_spill_folder_is_missing_fails_in_one_line_with_exit_1_and_writes_nothing()
    {
        using var directory = new FleetTestData.TempDirectory();
        string output = Path.Combine(directory.Path, "sorted.txt");
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };

        // The spill folder is the system's temporary folder; a child process gets a missing one.
        start.Environment["TMPDIR"] = Path.Combine(directory.Path, "missing");
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "PageExt.Cli.dll"), "sort", "-a", "--memory-budget", "1K", FleetTestData.Input("modern-s11.txt"), output })
        {
            start.ArgumentList.Add(arg);
        }

        using var child = Process.Start(start)!;
        var stdout = child.StandardOutput.ReadToEndAsync();
        string stderr = await child.StandardError.ReadToEndAsync();
        await stdout;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await child.WaitForExitAsync(timeout.Token);
        Assert.Equal(1, child.ExitCode);
        Assert.StartsWith("pageext sort: ", stderr, StringComparison.Ordinal);
        Assert.Contains("missing", stderr, StringComparison.Ordinal);
        Assert.Single(stderr.TrimEnd('\n').Split('\n'));
        Assert.Empty(Directory.GetFileSystemEntries(directory.Path));
    }
}
