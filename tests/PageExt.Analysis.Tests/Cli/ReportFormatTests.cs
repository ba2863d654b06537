using System.Text.Json;
using PageExt.Cli;
using PageExt.Cli.Commands;

namespace PageExt.Analysis.Tests.Cli;

/// <summary>`top` and `diff` in JSON, CSV and folded form, parsed back and checked against the dumps' totals.</summary>
public sealed class ReportFormatTests
{
    private static readonly string s_old = TestData.Input("modern-s11.txt");
    private static readonly string s_new = TestData.Input("modern-s12.txt");

    private static (int Exit, string Stdout, string Stderr) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int exit = CommandTable.Run(args, new CliContext(stdout, stderr, () => new MemoryStream()));
        return (exit, stdout.ToString(), stderr.ToString());
    }

    private static long TotalPages(string dump)
    {
        using var json = JsonDocument.Parse(Run("top", "--format", "json", dump).Stdout);
        return json.RootElement.GetProperty("pages").GetInt64();
    }

    [Fact]
    public void Top_json_parses_back_and_each_table_adds_up_to_the_total()
    {
        var (exit, stdout, _) = Run("top", "--format", "json", s_new);
        Assert.Equal(0, exit);
        using var json = JsonDocument.Parse(stdout);
        long pages = json.RootElement.GetProperty("pages").GetInt64();
        Assert.True(pages > 0);
        foreach (var table in new[] { "stacks", "processes", "allocators" })
        {
            Assert.Equal(pages, json.RootElement.GetProperty(table).EnumerateArray().Sum(e => e.GetProperty("pages").GetInt64()));
        }

        var first = json.RootElement.GetProperty("stacks")[0];
        Assert.True(first.GetProperty("frames").GetArrayLength() > 0);
    }

    [Fact]
    public void Top_csv_parses_back_to_the_same_numbers_as_json()
    {
        var (exit, stdout, _) = Run("top", "--format", "csv", s_new);
        Assert.Equal(0, exit);
        var rows = PageExt.TestSupport.Rfc4180.Parse(stdout);
        Assert.Equal(["table", "pages", "records", "label"], rows[0]);
        long pages = TotalPages(s_new);
        foreach (var table in new[] { "stack", "process", "allocator" })
        {
            Assert.Equal(pages, rows.Skip(1).Where(r => r[0] == table).Sum(r => long.Parse(r[1], System.Globalization.CultureInfo.InvariantCulture)));
        }
    }

    [Fact]
    public void Diff_json_parses_back_and_its_deltas_add_up_to_the_change()
    {
        var (exit, stdout, _) = Run("diff", "--format", "json", s_old, s_new);
        Assert.Equal(ExitCodes.DiffChanges, exit);
        using var json = JsonDocument.Parse(stdout);
        long delta = json.RootElement.GetProperty("deltaPages").GetInt64();
        Assert.Equal(TotalPages(s_new) - TotalPages(s_old), delta);
        Assert.Equal(delta, json.RootElement.GetProperty("allocators").EnumerateArray().Sum(e => e.GetProperty("deltaPages").GetInt64()));
        foreach (var entry in json.RootElement.GetProperty("stacks").EnumerateArray())
        {
            Assert.Equal(entry.GetProperty("newPages").GetInt64() - entry.GetProperty("oldPages").GetInt64(), entry.GetProperty("deltaPages").GetInt64());
        }
    }

    [Fact]
    public void Diff_csv_parses_back_to_the_json_entries()
    {
        var (exit, stdout, _) = Run("diff", "--format", "csv", s_old, s_new);
        Assert.Equal(ExitCodes.DiffChanges, exit);
        var rows = PageExt.TestSupport.Rfc4180.Parse(stdout);
        Assert.Equal("table,delta_pages,old_pages,new_pages,delta_records,old_records,new_records,label", string.Join(',', rows[0]));
        using var json = JsonDocument.Parse(Run("diff", "--format", "json", s_old, s_new).Stdout);
        Assert.Equal(json.RootElement.GetProperty("stacks").GetArrayLength(), rows.Count(r => r[0] == "stack"));
        Assert.Equal(
            json.RootElement.GetProperty("stacks").EnumerateArray().Select(e => e.GetProperty("deltaPages").GetInt64()),
            rows.Where(r => r[0] == "stack").Select(r => long.Parse(r[1], System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Fact]
    public void Diff_folded_writes_difffolded_lines_whose_columns_add_up_to_each_dump()
    {
        var (exit, stdout, _) = Run("diff", "--format", "folded", s_old, s_new);
        Assert.Equal(ExitCodes.DiffChanges, exit);
        long old = 0, @new = 0;
        foreach (var line in stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var match = System.Text.RegularExpressions.Regex.Match(line, @"^(?<stack>\S.*) (?<old>\d+) (?<new>\d+)$");
            Assert.True(match.Success, line);
            Assert.DoesNotContain("+0x", match.Groups["stack"].Value, StringComparison.Ordinal);
            old += long.Parse(match.Groups["old"].Value, System.Globalization.CultureInfo.InvariantCulture);
            @new += long.Parse(match.Groups["new"].Value, System.Globalization.CultureInfo.InvariantCulture);
        }

        Assert.Equal(TotalPages(s_old), old);
        Assert.Equal(TotalPages(s_new), @new);
    }

    [Fact]
    public void Diff_exits_0_for_no_change_and_1_for_changes()
    {
        Assert.Equal(ExitCodes.Success, Run("diff", s_new, s_new).Exit);
        Assert.Equal(ExitCodes.DiffChanges, Run("diff", s_old, s_new).Exit);
    }

    [Fact]
    public void Top_refuses_the_folded_format_which_only_diff_has()
    {
        var (exit, _, stderr) = Run("top", "--format", "folded", s_new);
        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Contains("--format is text|json|csv, not 'folded'", stderr, StringComparison.Ordinal);
    }
}
