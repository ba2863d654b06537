using System.Text;
using PageExt.Analysis.Proc;
using PageExt.Analysis.Text;

namespace PageExt.Analysis.Tests.Proc;

/// <summary>/proc/zoneinfo of every generation in tests/samples, read field by field, and malformed lines named.</summary>
public sealed class ZoneInfoReaderTests
{
    private static (IReadOnlyList<ProcZoneInfo> Zones, TextDiagnostics Diagnostics) Read(string text)
    {
        var diagnostics = new TextDiagnostics();
        return (ZoneInfoReader.Read(new MemoryStream(Encoding.Latin1.GetBytes(text)), diagnostics), diagnostics);
    }

    private static (IReadOnlyList<ProcZoneInfo> Zones, TextDiagnostics Diagnostics) Sample(string name) => Read(File.ReadAllText(TestData.Sample(name)));

    [Fact]
    public void Linux_6_18_zone_has_its_watermarks_sizes_protection_and_both_counter_blocks()
    {
        var (zones, diagnostics) = Sample("linux-6.18-zoneinfo-head.txt");
        Assert.Empty(diagnostics.Kept);
        var dma = Assert.Single(zones);
        Assert.Equal((0, "DMA"), (dma.Node, dma.Name));
        Assert.Equal(3840, dma.Free);
        Assert.Equal(0, dma.Boost);
        Assert.Equal((66L, 82L, 98L, 114L), (dma.Min!.Value, dma.Low!.Value, dma.High!.Value, dma.Promo!.Value));
        Assert.Equal((4095L, 3998L, 3840L, 0L), (dma.Spanned!.Value, dma.Present!.Value, dma.Managed!.Value, dma.Cma!.Value));
        Assert.Equal([0L, 3019, 3787, 3787, 3787], dma.Protection);

        // The per-node stats block (printed under the node's first populated zone) ends at "pages free".
        Assert.Equal(51, dma.NodeCounters.Count);
        Assert.Equal(1425, dma.NodeCounters["nr_inactive_anon"]);
        Assert.Equal(0, dma.NodeCounters["nr_kernel_file_pages"]);
        Assert.Equal(3840, dma.Counters["nr_free_pages"]);
        Assert.Equal(3584, dma.Counters["nr_free_pages_blocks"]);
        Assert.False(dma.NodeCounters.ContainsKey("nr_free_pages"));

        // The file is the head of /proc/zoneinfo: it stops before the pagesets.
        Assert.Empty(dma.Pagesets);
        Assert.Null(dma.StartPfn);
    }

    [Fact]
    public void Linux_3_6_zones_have_pagesets_all_unreclaimable_and_no_managed()
    {
        var (zones, diagnostics) = Sample("2012-linux-mm-luto-zoneinfo-3.6.txt");
        Assert.Empty(diagnostics.Kept);
        Assert.Equal(["DMA", "DMA32", "Normal"], zones.Select(z => z.Name));
        var dma32 = zones[1];
        Assert.Equal(321075, dma32.Free);
        Assert.Equal((2561L, 3201L, 3841L), (dma32.Min!.Value, dma32.Low!.Value, dma32.High!.Value));
        Assert.Null(dma32.Managed);
        Assert.Null(dma32.Promo);
        Assert.Equal(623163, dma32.Present);
        Assert.Equal([0L, 0, 13608, 13608], dma32.Protection);
        Assert.Equal(12, dma32.Pagesets.Count);
        Assert.Equal(new ProcPageset(10, 0, 13, 186, 31), dma32.Pagesets[10]);
        Assert.Equal(4096, dma32.StartPfn);
        Assert.True(zones[0].Unreclaimable);
        Assert.False(dma32.Unreclaimable);

        // 3.x printed the zone's counters with four spaces and no per-node block.
        Assert.Equal(321075, dma32.Counters["nr_free_pages"]);
        Assert.Empty(dma32.NodeCounters);
    }

    [Fact]
    public void Linux_2_6_18_hot_and_cold_pagesets_and_scanned_remark_are_read()
    {
        var (zones, diagnostics) = Sample("2006-linux-mm-clameter-zoneinfo-2.6.18.txt");
        Assert.Empty(diagnostics.Kept);
        var normal = Assert.Single(zones);
        Assert.Equal(4435, normal.Free);
        Assert.Equal(0, normal.Counters["scanned"]);
        Assert.Equal(241786, normal.Counters["active"]);
        Assert.Equal(
            [new ProcPageset(0, 0, 156, 186, 31), new ProcPageset(0, 1, 9, 62, 15), new ProcPageset(1, 0, 177, 186, 31), new ProcPageset(1, 1, 12, 62, 15)],
            normal.Pagesets);
        Assert.Equal(0, normal.StartPfn);
        Assert.False(normal.Unreclaimable);
        Assert.Empty(normal.Protection);
    }

    [Fact]
    public void Unpopulated_zones_stop_after_protection()
    {
        var (zones, diagnostics) = Sample("2019-linux-mm-hildenbrand-unpopulated-zones-5.3.txt");
        Assert.Empty(diagnostics.Kept);
        Assert.Equal([(1, "Normal"), (1, "Movable")], zones.Select(z => (z.Node, z.Name)));
        Assert.All(zones, z =>
        {
            Assert.Equal(0, z.Free);
            Assert.Equal(0, z.Managed);
            Assert.Equal([0L, 0, 0, 0, 0], z.Protection);
            Assert.Empty(z.Pagesets);
            Assert.Empty(z.Counters);
        });
    }

    [Fact]
    public void A_counter_or_field_no_kernel_printed_yet_is_read_without_a_word()
    {
        var (zones, diagnostics) = Read("Node 0, zone   Normal\n  pages free     7\n      nr_brand_new_counter 5\n  future_field:   3\n  pagesets\n    cpu: 0\n              count:    1\n              high:     2\n              batch:    3\n              high_min: 4\n              high_max: 9\n");
        Assert.Equal(0, diagnostics.Warnings + diagnostics.Notes);
        var zone = Assert.Single(zones);
        Assert.Equal(5, zone.Counters["nr_brand_new_counter"]);
        Assert.Equal(new ProcPageset(0, 0, 1, 2, 3) { HighMin = 4, HighMax = 9 }, Assert.Single(zone.Pagesets));
    }

    [Fact]
    public void Malformed_lines_are_named_with_their_line_numbers_and_the_rest_is_read()
    {
        var (zones, diagnostics) = Read(string.Join('\n',
            "  pages free     1",
            "Node 0, zone      DMA",
            "  pages free     twelve",
            "        min      99999999999999999999999",
            "        protection: (0, 1, x)",
            "<html>",
            "        low      20",
            "    cpu: 99999999999",
            "") + "\n");
        var zone = Assert.Single(zones);
        Assert.Equal(20, zone.Low);
        Assert.Null(zone.Free);
        Assert.Null(zone.Min);
        Assert.Equal(
            [
                "line 1: skipped: before any \"Node N, zone NAME\" line: '  pages free     1'",
                "line 3: skipped: not a zoneinfo line: '  pages free     twelve'",
                "line 4: skipped: min: '99999999999999999999999' is out of range",
                "line 5: skipped: not a zoneinfo line: '        protection: (0, 1, x)'",
                "line 6: skipped: not a zoneinfo line: '<html>'",
                "line 8: skipped: cpu '99999999999' is out of range",
            ],
            diagnostics.Kept.Select(d => d.ToString()));
    }

    [Fact]
    public void A_nul_byte_line_is_named()
    {
        var (zones, diagnostics) = Read("Node 0, zone      DMA\n  pages free  \0 1\n        min      3\n");
        Assert.Equal(3, Assert.Single(zones).Min);
        Assert.Equal("line 2: skipped: binary data (NUL bytes)", Assert.Single(diagnostics.Kept).ToString());
    }
}
