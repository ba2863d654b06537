using System.Globalization;
using PageExt.Analysis.Dump;
using PageExt.Analysis.Reports;
using PageExt.Fleet.Export;
using PageExt.Fleet.Query;

namespace PageExt.Fleet.Tests.Query;

/// <summary>SQL over exported files gives the numbers `pageext top` computes from the dump itself.</summary>
public sealed class FleetQueryTests
{
    [Theory]
    [InlineData("modern-s11.txt")]
    [InlineData("v6.6-s13.txt")]
    [InlineData("edge-tgid.txt")]
    public void Query_totals_match_what_top_prints(string name)
    {
        var dump = File.ReadAllBytes(FleetTestData.Input(name));
        var totals = DumpTotals.Load(DumpSource.Wrap(new MemoryStream(dump), ownsStream: true), new DiagnosticLog());
        using var directory = new FleetTestData.TempDirectory();
        FleetTestData.Export(directory.Path, (dump, name));

        var overall = Csv(directory.Path, "SELECT count(*), sum(pages) FROM records");
        Assert.Equal([totals.Records.ToString(CultureInfo.InvariantCulture), totals.Pages.ToString(CultureInfo.InvariantCulture)], overall.Single());

        // top's stack is the frame lines without their indent; the stacks table holds the same frames in order.
        var stacks = Csv(directory.Path,
            "WITH s AS (SELECT stack_id, string_agg(frame || chr(10), '' ORDER BY frame_index) AS frames FROM stacks GROUP BY stack_id) "
            + "SELECT coalesce(s.frames, ''), count(*), sum(pages) FROM records r LEFT JOIN s USING (stack_id) GROUP BY 1");
        AssertSameTotals(DumpTotals.Entries(totals.Stacks), stacks, "stacks");

        // top's process is a thread group (the pid where a record has no tgid), keyed as below; how
        // top names it (its leader's comm) is top's own choice, so the totals are compared by key.
        var processes = Csv(directory.Path,
            "SELECT CASE WHEN tgid IS NOT NULL THEN 'tgid ' || tgid WHEN pid IS NOT NULL THEN 'pid ' || pid ELSE '?' END, count(*), sum(pages) FROM records GROUP BY 1");
        AssertSameTotals(totals.ProcessEntries().Select(e => e with { Label = e.Key }).ToList(), processes, "processes");

        var allocators = Csv(directory.Path, "SELECT allocator, count(*), sum(pages) FROM records GROUP BY 1");
        AssertSameTotals(DumpTotals.Entries(totals.Allocators), allocators, "allocators");
    }

    [Fact]
    public void Hive_style_folders_become_columns_and_sources_add_up()
    {
        var dump = File.ReadAllBytes(FleetTestData.Input("modern-s11.txt"));
        using var root = new FleetTestData.TempDirectory();
        foreach (var (date, device) in new[] { ("2026-11-20", "a"), ("2026-11-27", "a"), ("2026-11-27", "b") })
        {
            string folder = Path.Combine(root.Path, $"date={date}", $"device={device}");
            Directory.CreateDirectory(folder);
            FleetTestData.Export(folder, (dump, device));
        }

        var rows = Run(root.Path, "SELECT date, device, count(*) FROM records GROUP BY ALL ORDER BY ALL", QueryFormat.Csv);
        Assert.Equal("date,device,count_star()\n2026-11-20,a,192\n2026-11-27,a,192\n2026-11-27,b,192\n", rows);
        // Every export holds the same 32 stacks; the view holds each frame once.
        const string countStacks = "SELECT count(DISTINCT stack_id), count(*) FROM stacks";
        Assert.Equal(
            Run(Path.Combine(root.Path, "date=2026-11-20"), countStacks, QueryFormat.Csv),
            Run(root.Path, countStacks, QueryFormat.Csv));
        Assert.StartsWith("count(DISTINCT stack_id),count_star()\n32,", Run(root.Path, countStacks, QueryFormat.Csv), StringComparison.Ordinal);
    }

    [Fact]
    public void Formats_print_the_same_result_as_a_table_csv_and_json()
    {
        using var directory = new FleetTestData.TempDirectory();
        FleetTestData.Export(directory.Path, (File.ReadAllBytes(FleetTestData.Input("modern-s11.txt")), "d, \"quoted\""));
        const string sql = "SELECT source, sum(pages) AS pages, NULL AS nothing FROM records GROUP BY source";
        Assert.Equal("source,pages,nothing\n\"d, \"\"quoted\"\"\",6606,\n", Run(directory.Path, sql, QueryFormat.Csv));
        Assert.Equal("[\n  {\n    \"source\": \"d, \\\"quoted\\\"\",\n    \"pages\": 6606,\n    \"nothing\": null\n  }\n]\n", Run(directory.Path, sql, QueryFormat.Json));
        Assert.Equal(
            "source       pages  nothing\n-----------  -----  -------\nd, \"quoted\"   6606     NULL\n(1 row)\n",
            Run(directory.Path, sql, QueryFormat.Table));
    }

    private static void AssertSameTotals(IReadOnlyList<TotalsEntry> top, List<string[]> query, string what)
    {
        var expected = top.Select(e => $"{e.Label}|{e.Records}|{e.Pages}").Order(StringComparer.Ordinal).ToList();
        var actual = query.Select(r => $"{r[0]}|{r[1]}|{r[2]}").Order(StringComparer.Ordinal).ToList();
        Assert.True(expected.SequenceEqual(actual), $"{what}: top and the query differ\ntop:   {string.Join(" ; ", expected.Except(actual))}\nquery: {string.Join(" ; ", actual.Except(expected))}");
    }

    private static string Run(string directory, string sql, QueryFormat format)
    {
        var files = Directory.EnumerateFiles(directory, "*.parquet", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
        var output = new StringWriter { NewLine = "\n" };
        FleetQuery.Run(sql, files.Where(f => f.EndsWith(ParquetSchemaV1.RecordsFile, StringComparison.Ordinal)).ToList(),
            files.Where(f => f.EndsWith(ParquetSchemaV1.StacksFile, StringComparison.Ordinal)).ToList(), output, format);
        return output.ToString();
    }

    /// <summary>CSV rows without the header; fields here hold no comma or quote except the stack text, which is quoted.</summary>
    private static List<string[]> Csv(string directory, string sql)
    {
        var lines = PageExt.TestSupport.Rfc4180.Parse(Run(directory, sql, QueryFormat.Csv));
        return lines.Skip(1).ToList();
    }
}
