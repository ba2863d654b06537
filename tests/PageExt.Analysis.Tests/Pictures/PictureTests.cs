using System.IO.Compression;
using System.Text;
using System.Text.Json;
using System.Xml.Linq;
using PageExt.Analysis.Dump;
using PageExt.Analysis.Pictures;
using PageExt.Analysis.Reports;
using PageExt.Cli;
using PageExt.Cli.Commands;

namespace PageExt.Analysis.Tests.Pictures;

/// <summary>The report's data, its HTML and SVG writers, and the `report` command, without a browser.</summary>
public sealed class PictureTests
{
    private static PictureTotals Load(byte[] dump) => PictureTotals.Load(new MemoryStream(dump), new DiagnosticLog(int.MaxValue));

    private static PictureTotals Load(string name) => Load(TestData.ReadInput(name));

    [Theory]
    [InlineData("PFN 0x100 type Unmovable Block 0 type Movable Flags 0x7(slab)", 0x100UL, 0UL, "Unmovable", "Movable", true)]
    [InlineData("PFN 262144 type Movable Block 512 type Movable Flags 0x0()", 262144UL, 512UL, "Movable", "Movable", false)]
    [InlineData("PFN 257 Block 0 type 2          Flags    UDL      ", 257UL, 0UL, "", "2", false)]
    [InlineData("PFN 7355 Block 7 type 3 Fallback Flags      LA     ", 7355UL, 7UL, "", "3", true)]
    public void Pfn_line_fields_are_read_in_every_generation(string line, ulong pfn, ulong block, string pageType, string blockType, bool fallback)
    {
        Assert.True(PfnLine.TryParse(Encoding.ASCII.GetBytes(line), out var parsed));
        Assert.Equal(pfn, parsed.Pfn);
        Assert.Equal(block, parsed.Block);
        Assert.Equal(pageType, Encoding.ASCII.GetString(parsed.PageType));
        Assert.Equal(blockType, Encoding.ASCII.GetString(parsed.BlockType));
        Assert.Equal(fallback, parsed.Fallback);
    }

    [Fact]
    public void Seed_block_type_numbers_name_the_3_19_types()
    {
        Assert.Equal("Movable", PfnLine.TypeName("2"u8));
        Assert.Equal("Reclaimable", PfnLine.TypeName("1"u8));
        Assert.Equal("HighAtomic", PfnLine.TypeName("HighAtomic"u8));
    }

    [Theory]
    [InlineData("modern-s11.txt")]
    [InlineData("v6.6-s13.txt")]
    [InlineData("2014-s14.txt")]
    [InlineData("edge.txt")]
    public void Totals_match_top_for_stacks_processes_and_allocators(string input)
    {
        var picture = Load(input);
        var top = DumpTotals.Load(new MemoryStream(TestData.ReadInput(input)), new DiagnosticLog(int.MaxValue));
        Assert.Equal(top.Records, picture.Records);
        Assert.Equal(top.Pages, picture.Pages);
        Assert.Equal(top.Stacks.Count, picture.Stacks.Count);
        Assert.Equal(Pages(top.Allocators), Pages(picture.Allocators));
        Assert.Equal(picture.Pages, picture.OrderPages.Sum());
        Assert.Equal(picture.Pages, FlameTree.Build(picture, null).Pages);

        static Dictionary<string, long> Pages(PageExt.Analysis.Sort.GroupTable table) => DumpTotals.Entries(table).ToDictionary(e => e.Key, e => e.Pages);
    }

    [Fact]
    public void Pageblocks_of_a_dump_are_marked_mixed_where_a_record_is_a_fallback()
    {
        var picture = Load(Encoding.ASCII.GetBytes("""
            Page allocated via order 0, mask 0xcc0(GFP_KERNEL), pid 1, tgid 1 (init), ts 1 ns
            PFN 0x200 type Unmovable Block 1 type Movable Flags 0x0()
             f+0x1/0x2

            Page allocated via order 0, mask 0xcc0(GFP_KERNEL), pid 1, tgid 1 (init), ts 1 ns
            PFN 0x400 type Unmovable Block 2 type Unmovable Flags 0x0()
             f+0x1/0x2

            Page allocated via order 10, mask 0xcc0(GFP_KERNEL), pid 2, tgid 2 (kthreadd), ts 1 ns
            PFN 0x800 type Unmovable Block 4 type Unmovable Flags 0x0()
             g+0x1/0x2


            """.Replace("\r\n", "\n", StringComparison.Ordinal)));
        Assert.Equal(9, picture.PageblockOrder);
        Assert.True(picture.Pageblocks[1].Mixed);
        Assert.False(picture.Pageblocks[2].Mixed);
        Assert.Equal("Movable", picture.Pageblocks[1].Type);
        // The order-10 record covers blocks 4 and 5.
        Assert.Equal(512, picture.Pageblocks[4].Pages);
        Assert.Equal(512, picture.Pageblocks[5].Pages);
        Assert.Null(picture.Pageblocks[5].Type);
    }

    private static JsonElement ReportJson(PictureTotals current, PictureTotals? old = null)
    {
        using var output = new MemoryStream();
        HtmlReport.Write(output, new ReportData { Current = current, Old = old, Title = "t" });
        string html = Encoding.UTF8.GetString(output.ToArray());
        int start = html.IndexOf("application/json\">", StringComparison.Ordinal) + "application/json\">".Length;
        using var json = JsonDocument.Parse(html[start..html.IndexOf("</script>", start, StringComparison.Ordinal)]);
        return json.RootElement.Clone();
    }

    private static string ThreadRecord(int order, string ids, string comm) =>
        $"Page allocated via order {order}, mask 0xcc0(GFP_KERNEL), {ids} ({comm}), ts 10 ns\n"
        + "PFN 0x10 type Unmovable Block 0 type Unmovable Flags 0x0()\n f+0x1/0x2\n\n";

    /// <summary>A JVM whose leader and threads all allocate, a group whose leader has no record, and a pid-only process.</summary>
    private static readonly string s_threads =
        ThreadRecord(0, "pid 1778, tgid 1778", "java")
        + ThreadRecord(3, "pid 1790, tgid 1778", "C2 CompilerThre")
        + ThreadRecord(1, "pid 1795, tgid 1778", "GC Thread#0")
        + ThreadRecord(2, "pid 901, tgid 900", "worker-b")
        + ThreadRecord(1, "pid 902, tgid 900", "worker-a")
        + ThreadRecord(0, "pid 55, tgid 55", "init");

    [Theory]
    [InlineData("threads")]
    [InlineData("modern-s11.txt")]
    [InlineData("v6.6-s13.txt")]
    [InlineData("2014-s14.txt")]
    [InlineData("edge.txt")]
    public void Report_process_rows_are_tops_processes_by_tgid_under_the_leaders_name(string input)
    {
        byte[] dump = input == "threads" ? Encoding.ASCII.GetBytes(s_threads) : TestData.ReadInput(input);
        var top = DumpTotals.Load(new MemoryStream(dump), new DiagnosticLog(int.MaxValue)).Processes()
            .Select(p => (p.Label, p.Pages, p.Records)).Order().ToList();
        var rows = ReportJson(Load(dump)).GetProperty("processes").GetProperty("rows").EnumerateArray()
            .Select(r => (r[0].GetString()!, r[1].GetInt64(), r[2].GetInt64())).Order().ToList();
        Assert.Equal(top, rows);
        if (input == "threads")
        {
            Assert.Contains(("1778 java", 11L, 3L), rows);
            Assert.Contains(("900 worker-b (a thread's name: the leader has no record)", 6L, 2L), rows);
        }
    }

    [Fact]
    public void Report_orders_follow_the_record_order_rule_an_order_above_22_counts_no_pages()
    {
        byte[] dump = Encoding.ASCII.GetBytes(ThreadRecord(3, "pid 1, tgid 1", "init") + ThreadRecord(30, "pid 1, tgid 1", "init"));
        var log = new DiagnosticLog(int.MaxValue);
        var picture = PictureTotals.Load(new MemoryStream(dump), log);
        Assert.Equal(8, picture.Pages);
        var orders = ReportJson(picture).GetProperty("orders").GetProperty("rows").EnumerateArray()
            .ToDictionary(r => r[0].GetString()!, r => (r[1].GetInt64(), r[2].GetInt64()));
        Assert.Equal((8L, 1L), orders["3"]);
        Assert.Equal((0L, 1L), orders["unusable"]);
        Assert.Equal(1, log.Count(DiagnosticKind.UnusableOrder));
    }

    [Fact]
    public void Diff_report_process_rows_match_processes_by_name_as_diff_does()
    {
        var old = Load(Encoding.ASCII.GetBytes(ThreadRecord(0, "pid 1778, tgid 1778", "java") + ThreadRecord(0, "pid 5, tgid 5", "sshd")));
        var now = Load(Encoding.ASCII.GetBytes(ThreadRecord(2, "pid 2213, tgid 2213", "java") + ThreadRecord(0, "pid 5, tgid 5", "sshd")));
        var rows = ReportJson(now, old).GetProperty("processes").GetProperty("rows").EnumerateArray()
            .ToDictionary(r => r[0].GetString()!, r => (r[1].GetInt64(), r[3].GetInt64()));
        Assert.Equal((4L, 1L), rows["java [1778 -> 2213]"]);
        Assert.Equal((1L, 1L), rows["sshd [5 -> 5]"]);
    }

    [Fact]
    public void Html_report_embeds_a_comm_that_closes_the_script_element_harmlessly()
    {
        byte[] dump = Encoding.ASCII.GetBytes(
            "Page allocated via order 0, mask 0xcc0(GFP_KERNEL), pid 7, tgid 7 (</script><b>x), ts 1 ns\n"
            + "PFN 0x200 type Unmovable Block 1 type Unmovable Flags 0x0()\n <img src=x>+0x1/0x2\n\n");
        using var output = new MemoryStream();
        HtmlReport.Write(output, new ReportData { Current = Load(dump), Title = "<title> & test" });
        string html = Encoding.UTF8.GetString(output.ToArray());
        string template = Assets.Read("report.html");
        Assert.Equal(Count(template, "</script>"), Count(html, "</script>"));
        Assert.DoesNotContain("<img src=x>", html, StringComparison.Ordinal);
        Assert.Contains("&lt;title&gt; &amp; test", html, StringComparison.Ordinal);

        // The data block is JSON that names the comm exactly.
        int start = html.IndexOf("application/json\">", StringComparison.Ordinal) + "application/json\">".Length;
        using var json = JsonDocument.Parse(html[start..html.IndexOf("</script>", start, StringComparison.Ordinal)]);
        Assert.Equal("7 </script><b>x", json.RootElement.GetProperty("processes").GetProperty("rows")[0][0].GetString());

        static int Count(string text, string what) => (text.Length - text.Replace(what, "", StringComparison.Ordinal).Length) / what.Length;
    }

    [Fact]
    public void Html_report_references_nothing_outside_itself()
    {
        using var output = new MemoryStream();
        HtmlReport.Write(output, new ReportData { Current = Load("modern-s11.txt"), Title = "t" });
        string html = Encoding.UTF8.GetString(output.ToArray());
        Assert.DoesNotContain("src=\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("href=\"http", html, StringComparison.Ordinal);
        Assert.DoesNotContain("url(", html, StringComparison.Ordinal);
        Assert.Contains("default-src 'none'", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Svg_flame_graph_is_well_formed_xml_whose_root_frame_holds_every_page()
    {
        var totals = Load("modern-s11.txt");
        var writer = new StringWriter();
        FlameGraphSvg.Write(writer, new ReportData { Current = totals, Title = "a <b> & c" });
        var svg = XDocument.Parse(writer.ToString());
        XNamespace ns = "http://www.w3.org/2000/svg";
        var frames = svg.Descendants(ns + "g").Where(g => (string?)g.Attribute("class") == "f").ToList();
        Assert.Equal(totals.Pages, (long)frames.Single(g => (string?)g.Attribute("data-l") == "0").Attribute("data-w")!);
        long topLevel = frames.Where(g => (string?)g.Attribute("data-l") == "1").Sum(g => (long)g.Attribute("data-w")!);
        Assert.True(topLevel <= totals.Pages);
    }

    private static (int Exit, string Stderr) Run(params string[] args) => Run(() => new MemoryStream(), args);

    private static (int Exit, string Stderr) Run(Func<Stream> stdin, params string[] args)
    {
        var stderr = new StringWriter();
        int exit = CommandTable.Run(args, new CliContext(new StringWriter(), stderr, stdin));
        return (exit, stderr.ToString());
    }

    private static string TempFolder()
    {
        string folder = Path.Combine(Path.GetTempPath(), "pageext-report-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        return folder;
    }

    [Fact]
    public void Report_refuses_to_write_over_its_input()
    {
        string folder = TempFolder();
        string dump = Path.Combine(folder, "dump.txt");
        File.Copy(TestData.Input("modern-s12.txt"), dump);
        var (exit, stderr) = Run("report", dump, "-o", dump);
        Assert.Equal(1, exit);
        Assert.Contains("is the input", stderr, StringComparison.Ordinal);
        Assert.Equal(TestData.ReadInput("modern-s12.txt"), File.ReadAllBytes(dump));
        Assert.Equal([dump], Directory.GetFiles(folder));
    }

    [Fact]
    public void Report_reads_gzip_and_stdin_and_writes_html_and_svg()
    {
        string folder = TempFolder();
        string gz = Path.Combine(folder, "dump.gz");
        using (var file = File.Create(gz))
        using (var zip = new GZipStream(file, CompressionLevel.Fastest))
        {
            zip.Write(TestData.ReadInput("v6.6-s13.txt"));
        }

        string html = Path.Combine(folder, "r.html");
        Assert.Equal(0, Run("report", gz, "-o", html).Exit);
        Assert.StartsWith("<!DOCTYPE html>", File.ReadAllText(html), StringComparison.Ordinal);

        string svg = Path.Combine(folder, "f.svg");
        Assert.Equal(0, Run(() => new MemoryStream(TestData.ReadInput("2014-s14.txt")), "flamegraph", "-", "-o", svg).Exit);
        Assert.NotNull(XDocument.Load(svg).Root);

        string diff = Path.Combine(folder, "d.html");
        Assert.Equal(0, Run("report", "--diff", TestData.Input("modern-s12.txt"), TestData.Input("modern-s11.txt"), "-o", diff).Exit);
        Assert.Contains("\"diff\":true", File.ReadAllText(diff), StringComparison.Ordinal);
        Assert.Equal(4, Directory.GetFiles(folder).Length);
    }

    [Fact]
    public void Report_exit_codes_name_the_fault()
    {
        string folder = TempFolder();
        string text = Path.Combine(folder, "notes.txt");
        File.WriteAllText(text, "hello\nworld\n");
        var (exit, stderr) = Run("report", text, "-o", Path.Combine(folder, "r.html"));
        Assert.Equal(2, exit);
        Assert.Contains("not a page_owner dump", stderr, StringComparison.Ordinal);
        Assert.Equal(1, Run("report", Path.Combine(folder, "missing.txt")).Exit);
        Assert.Equal(1, Run("report", "--diff", text).Exit);
        Assert.Equal(1, Run("report", "--format", "png", text).Exit);
        Assert.Equal(1, Run("report", TestData.Input("modern-s12.txt"), "-o", Path.Combine(folder, "no-such-folder", "r.html")).Exit);
        Assert.Equal(["notes.txt"], Directory.GetFiles(folder).Select(Path.GetFileName));
    }

    [Fact]
    public void Run_writes_a_live_report_with_every_pageblock_and_buddyinfo()
    {
        string folder = TempFolder();
        string html = Path.Combine(folder, "live.html");
        Assert.Equal(0, Run("run", "--cmdline", "page_owner=on", "--memory", "64M", "--steps", "3000", "--report", html).Exit);
        string page = File.ReadAllText(html);
        int start = page.IndexOf("application/json\">", StringComparison.Ordinal) + "application/json\">".Length;
        using var json = JsonDocument.Parse(page[start..page.IndexOf("</script>", start, StringComparison.Ordinal)]);
        var root = json.RootElement;
        Assert.True(root.GetProperty("live").GetBoolean());
        Assert.Equal("live", root.GetProperty("map").GetProperty("source").GetString());
        Assert.Equal(64 * 1024 * 1024 / 4096 / 512, root.GetProperty("map").GetProperty("count").GetInt32());
        Assert.NotEqual(0, root.GetProperty("buddy").GetArrayLength());
    }
}
