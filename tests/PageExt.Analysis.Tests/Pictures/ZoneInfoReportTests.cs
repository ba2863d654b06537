using System.Text;
using System.Text.Json;
using PageExt.Cli;
using PageExt.Cli.Commands;

namespace PageExt.Analysis.Tests.Pictures;

/// <summary>The report of a /proc/zoneinfo file and of a live machine: the watermarks section and its data, without a browser.</summary>
public sealed class ZoneInfoReportTests
{
    private static (int Exit, string Html, string Stderr) Report(params string[] args)
    {
        string output = Path.Combine(Path.GetTempPath(), $"pageext-zoneinfo-{Guid.NewGuid():N}.html");
        try
        {
            var stderr = new StringWriter();
            int exit = CommandTable.Run([.. args, "-o", output], new CliContext(new StringWriter(), stderr, () => new MemoryStream()));
            return (exit, File.Exists(output) ? File.ReadAllText(output) : "", stderr.ToString());
        }
        finally
        {
            File.Delete(output);
        }
    }

    private static JsonElement Data(string html)
    {
        int start = html.IndexOf("application/json\">", StringComparison.Ordinal) + "application/json\">".Length;
        using var json = JsonDocument.Parse(html[start..html.IndexOf("</script>", start, StringComparison.Ordinal)]);
        return json.RootElement.Clone();
    }

    [Fact]
    public void Report_of_a_6_18_zoneinfo_embeds_the_zone_and_has_the_watermarks_section()
    {
        var (exit, html, stderr) = Report("report", TestData.Sample("linux-6.18-zoneinfo-head.txt"));
        Assert.True(exit == 0, stderr);
        Assert.Contains("<section id=\"zoneinfo-section\"", html, StringComparison.Ordinal);
        Assert.Contains("<a href=\"#zoneinfo-section\" id=\"zoneinfo-link\" hidden>Watermarks</a>", html, StringComparison.Ordinal);
        Assert.Contains("function zoneinfo()", html, StringComparison.Ordinal);
        var zone = Assert.Single(Data(html).GetProperty("zoneinfo").EnumerateArray());
        Assert.Equal("DMA", zone.GetProperty("zone").GetString());
        Assert.Equal(
            [3840L, 66, 82, 98, 114, 3840, 3998, 4095],
            new[] { "free", "min", "low", "high", "promo", "managed", "present", "spanned" }.Select(f => zone.GetProperty(f).GetInt64()));
        Assert.Equal([0L, 3019, 3787, 3787, 3787], zone.GetProperty("protection").EnumerateArray().Select(p => p.GetInt64()));
        Assert.Empty(Data(html).GetProperty("buddy").EnumerateArray());
    }

    [Fact]
    public void Report_of_a_3_6_zoneinfo_embeds_each_cpus_pageset_and_nulls_for_fields_it_lacked()
    {
        var (exit, html, stderr) = Report("report", TestData.Sample("2012-linux-mm-luto-zoneinfo-3.6.txt"));
        Assert.True(exit == 0, stderr);
        var zones = Data(html).GetProperty("zoneinfo").EnumerateArray().ToList();
        Assert.Equal(3, zones.Count);
        var normal = zones[2];
        Assert.Equal(JsonValueKind.Null, normal.GetProperty("managed").ValueKind);
        Assert.Equal(JsonValueKind.Null, normal.GetProperty("promo").ValueKind);
        var sets = normal.GetProperty("pagesets").EnumerateArray().Select(p => p.EnumerateArray().Select(v => v.GetInt64()).ToArray()).ToList();
        Assert.Equal(12, sets.Count);
        Assert.Equal([11L, 0, 57, 186, 31], sets[11]);
        Assert.Equal(1048576, normal.GetProperty("startPfn").GetInt64());
    }

    [Fact]
    public void Zoneinfo_cannot_be_diffed()
    {
        string file = TestData.Sample("linux-6.18-zoneinfo-head.txt");
        var (exit, _, stderr) = Report("report", "--diff", file, file);
        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.Contains("/proc/zoneinfo cannot be compared", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_zoneinfo_with_no_zone_fails_in_one_line()
    {
        string file = Path.Combine(Path.GetTempPath(), $"pageext-zoneinfo-{Guid.NewGuid():N}.txt");
        File.WriteAllText(file, "  per-node stats\n      nr_inactive_anon 1\n");
        try
        {
            var (exit, _, stderr) = Report("report", file);
            Assert.Equal(ExitCodes.BadInput, exit);
            Assert.Contains("line 1: skipped: before any \"Node N, zone NAME\" line", stderr, StringComparison.Ordinal);
            Assert.EndsWith("/proc/zoneinfo with no zone (\"Node N, zone NAME\")\n", stderr, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void Live_report_embeds_the_machines_zoneinfo()
    {
        string report = Path.Combine(Path.GetTempPath(), $"pageext-live-{Guid.NewGuid():N}.html");
        string zoneinfo = Path.ChangeExtension(report, ".zoneinfo");
        try
        {
            var stderr = new StringWriter();
            int exit = CommandTable.Run(["run", "--memory", "64M", "--steps", "3000", "--report", report, "--zoneinfo", zoneinfo],
                new CliContext(new StringWriter(), stderr, () => new MemoryStream()));
            Assert.True(exit == 0, stderr.ToString());
            var embedded = Data(File.ReadAllText(report)).GetProperty("zoneinfo").EnumerateArray().ToList();
            Assert.Equal(["DMA", "DMA32", "Normal", "Movable"], embedded.Select(z => z.GetProperty("zone").GetString()));

            // The same moment's file, read back, says what the report drew.
            var (_, html, _) = Report("report", zoneinfo);
            var fromFile = Data(html).GetProperty("zoneinfo").EnumerateArray().ToList();
            Assert.Equal(embedded.Select(z => z.GetRawText()), fromFile.Select(z => z.GetRawText()));
            Assert.True(embedded[1].GetProperty("free").GetInt64() > 0);
        }
        finally
        {
            File.Delete(report);
            File.Delete(zoneinfo);
        }
    }
}
