using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace PageExt.Report.Tests;

/// <summary>The HTML report and the SVG flame graph in a real browser: headless system Chromium.</summary>
public sealed class ReportBrowserTests : IClassFixture<ReportFixture>
{
    private static readonly JsonSerializerOptions s_json = new() { PropertyNameCaseInsensitive = true };

    private readonly ReportFixture _files;

    public ReportBrowserTests(ReportFixture files)
    {
        _files = files;
    }

    [ChromiumFact]
    public async Task Every_report_loads_with_no_console_error_and_no_request_but_its_own_file()
    {
        foreach (string file in new[] { _files.DumpReport, _files.LiveReport, _files.DiffReport, _files.FlameGraph, _files.PageTypeInfoReport, _files.ZoneInfoReport })
        {
            await using var browser = await Browser.OpenAsync(file);
            await browser.Page.WaitForLoadStateAsync(Microsoft.Playwright.LoadState.NetworkIdle);
            Assert.Empty(browser.ConsoleErrors);
            Assert.Equal([new Uri(file).AbsoluteUri], browser.Requests);
        }
    }

    [ChromiumFact]
    public async Task Flame_graph_top_frames_have_the_pages_and_widths_of_the_sort_totals()
    {
        var expected = FoldedTotals().GroupBy(s => s.Frames[0]).ToDictionary(g => g.Key, g => g.Sum(s => s.Pages));
        long total = expected.Values.Sum();
        await using var browser = await Browser.OpenAsync(_files.DumpReport);
        var frames = await Frames(browser, depth: 1);
        double rootWidth = (await Frames(browser, depth: 0)).Single().Width;
        Assert.NotEmpty(frames);
        foreach (var frame in frames)
        {
            Assert.True(expected.TryGetValue(frame.Name, out long pages), $"top frame '{frame.Name}' is not the first frame of any folded stack");
            Assert.Equal(pages, frame.Pages);
            Assert.InRange(frame.Width, (rootWidth * pages / total) - 2, (rootWidth * pages / total) + 2);
        }

        // Every top frame wide enough to draw (a pixel) is drawn.
        Assert.Equal(expected.Count(e => rootWidth * e.Value / total >= 1), frames.Count);
        await browser.Page.ScreenshotAsync(new() { Path = _files.Screenshot("report-flame") });
    }

    [ChromiumFact]
    public async Task Clicking_a_frame_zooms_it_to_the_full_width()
    {
        await using var browser = await Browser.OpenAsync(_files.DumpReport);
        double rootWidth = (await Frames(browser, depth: 0)).Single().Width;

        // Every stack shares its outermost frames (the CLI and workload that allocated): take the
        // first depth where the stacks part, and a frame there narrower than half the graph.
        Frame? target = null;
        int depth = 1;
        for (; depth < 64 && target is null; depth++)
        {
            target = (await Frames(browser, depth)).Where(f => f.Width > 20 && f.Width < rootWidth / 2).OrderBy(f => f.Width).FirstOrDefault();
        }

        depth--;
        Assert.True(target is not null, "the test needs a frame narrower than half the graph");
        await browser.Page.Locator("#flame .fr").Nth(target.Index).ClickAsync();
        var zoomed = (await Frames(browser, depth)).Where(f => !f.Ancestor).ToList();
        Assert.Equal(target.Name, zoomed.Single().Name);
        Assert.InRange(zoomed.Single().Width, rootWidth - 2, rootWidth + 2);
        Assert.True(await browser.Page.IsEnabledAsync("#reset"));
        await browser.Page.ClickAsync("#reset");
        Assert.Equal(rootWidth, (await Frames(browser, depth: 0)).Single(f => !f.Ancestor).Width);
    }

    [ChromiumFact]
    public async Task A_stack_row_lists_its_frames_when_opened_and_not_before()
    {
        await using var browser = await Browser.OpenAsync(_files.DumpReport);
        Assert.Equal(0, await browser.Page.Locator("#table-stacks li").CountAsync());
        await browser.Page.Locator("#table-stacks summary").First.ClickAsync();
        var frames = await browser.Page.Locator("#table-stacks details[open] li").AllTextContentsAsync();
        Assert.NotEmpty(frames);
        var folded = FoldedTotals().Select(s => s.Frames).ToList();
        Assert.Contains(folded, stack => stack.Reverse().Where(f => f.Length > 0).Take(frames.Count).SequenceEqual(frames));
    }

    [ChromiumFact]
    public async Task Search_highlights_the_matching_frames_and_sums_their_pages()
    {
        const string term = "kmem_cache_grow";
        long expected = FoldedTotals().Where(s => s.Frames.Any(f => f.Contains(term, StringComparison.OrdinalIgnoreCase))).Sum(s => s.Pages);
        Assert.True(expected > 0, "the workload has no kmem_cache_grow stack");
        await using var browser = await Browser.OpenAsync(_files.DumpReport);
        await browser.Page.FillAsync("#search", term);
        await browser.Page.PressAsync("#search", "Enter");
        var matched = await browser.Page.EvalOnSelectorAllAsync<string[]>("#flame .fr.match", "els => els.map(e => e.dataset.name)");
        Assert.NotEmpty(matched);
        Assert.All(matched, name => Assert.Contains(term, name, StringComparison.OrdinalIgnoreCase));
        Assert.Equal(expected.ToString(CultureInfo.InvariantCulture), await browser.Page.GetAttributeAsync("#flame", "data-matched"));
        Assert.Contains(expected.ToString("N0", CultureInfo.InvariantCulture) + " pages", await browser.Page.TextContentAsync("#matched"), StringComparison.Ordinal);
        await browser.Page.ScreenshotAsync(new() { Path = _files.Screenshot("report-search") });
    }

    [ChromiumFact]
    public async Task Live_memory_map_has_one_cell_per_pageblock_and_pagetypeinfos_mixed_count()
    {
        var (blocks, mixed) = PageTypeInfoTotals();
        await using var browser = await Browser.OpenAsync(_files.LiveReport);
        await browser.ShowMapAsync();
        Assert.Equal(blocks.ToString(CultureInfo.InvariantCulture), await browser.Page.GetAttributeAsync("#map", "data-cells"));
        Assert.Equal(mixed.Values.Sum().ToString(CultureInfo.InvariantCulture), await browser.Page.GetAttributeAsync("#map", "data-mixed"));
        foreach (var (type, count) in mixed)
        {
            var cells = await browser.Page.EvalOnSelectorAllAsync<string[]>($"#mixed-table td[data-type=\"{type}\"]", "els => els.map(e => e.textContent)");
            Assert.Equal(count, cells.Sum(long.Parse));
        }

        Assert.True(mixed.Values.Sum() > 0, "the workload left no mixed block to check");
        await browser.Page.Locator("#map-section").ScrollIntoViewIfNeededAsync();
        await browser.Page.Locator("#map").HoverAsync(new() { Position = new() { X = 20, Y = 5 } });
        await browser.Page.ScreenshotAsync(new() { Path = _files.Screenshot("report-map") });
    }

    [ChromiumFact]
    public async Task A_pagetypeinfo_file_draws_the_free_blocks_chart_the_live_machine_drew()
    {
        static async Task<string[]> Charts(string file)
        {
            await using var browser = await Browser.OpenAsync(file);
            Assert.True(await browser.Page.IsVisibleAsync("#buddy-section"));
            return await browser.Page.EvalOnSelectorAllAsync<string[]>("#buddy svg", "els => els.map(e => e.getAttribute('aria-label'))");
        }

        var live = await Charts(_files.LiveReport);
        Assert.NotEmpty(live);
        Assert.Equal(live, await Charts(_files.PageTypeInfoReport));
    }

    [ChromiumFact]
    public async Task Zoneinfo_table_shows_each_zones_free_pages_and_watermarks_as_the_file_prints_them()
    {
        var expected = new List<(string Zone, string Free, string Min)>();
        string zone = "";
        foreach (string line in File.ReadAllLines(_files.ZoneInfo))
        {
            var header = Regex.Match(line, @"^Node (\d+), zone +(\S+)$");
            var field = Regex.Match(line, @"^ +(pages free|min) +(\d+)$");
            if (header.Success)
            {
                zone = $"Node {header.Groups[1].Value}, zone {header.Groups[2].Value}";
            }
            else if (field.Success && field.Groups[1].Value == "pages free")
            {
                expected.Add((zone, long.Parse(field.Groups[2].Value, CultureInfo.InvariantCulture).ToString("N0", CultureInfo.InvariantCulture), ""));
            }
            else if (field.Success)
            {
                expected[^1] = expected[^1] with { Min = long.Parse(field.Groups[2].Value, CultureInfo.InvariantCulture).ToString("N0", CultureInfo.InvariantCulture) };
            }
        }

        foreach (string file in new[] { _files.ZoneInfoReport, _files.LiveReport })
        {
            await using var browser = await Browser.OpenAsync(file);
            Assert.True(await browser.Page.IsVisibleAsync("#zoneinfo-section"));
            Assert.True(await browser.Page.IsVisibleAsync("#zoneinfo-link"));
            var rows = await browser.Page.EvalOnSelectorAllAsync<string[][]>("#zoneinfo-rows tr[data-zone]",
                "trs => trs.map(tr => [tr.dataset.zone, tr.querySelector('[data-field=free]').textContent, tr.querySelector('[data-field=min]').textContent])");
            Assert.Equal(expected.Select(e => new[] { e.Zone, e.Free, e.Min }), rows);
            Assert.Equal(expected.Count, await browser.Page.Locator("#zoneinfo figure").CountAsync());
        }

        await using var shot = await Browser.OpenAsync(_files.ZoneInfoReport);
        await shot.Page.Locator("#zoneinfo-section").ScrollIntoViewIfNeededAsync();
        await shot.Page.ScreenshotAsync(new() { Path = _files.Screenshot("report-zoneinfo") });
    }

    [ChromiumFact]
    public async Task Dump_memory_map_counts_the_mixed_blocks_pagetypeinfo_counted_at_the_same_moment()
    {
        var (_, mixed) = PageTypeInfoTotals();
        await using var browser = await Browser.OpenAsync(_files.DumpReport);
        await browser.ShowMapAsync();
        Assert.Equal(mixed.Values.Sum().ToString(CultureInfo.InvariantCulture), await browser.Page.GetAttributeAsync("#map", "data-mixed"));
    }

    [ChromiumFact]
    public async Task Svg_flame_graph_zooms_on_click_and_highlights_a_search()
    {
        await using var browser = await Browser.OpenAsync(_files.FlameGraph);
        var page = browser.Page;
        // The first level where the stacks part (their outermost frames are shared): its second-widest frame.
        int level = await page.EvalOnSelectorAllAsync<int>("g.f",
            "gs => { for (let l = 1; l < 64; l++) if (gs.filter(g => g.dataset.l === String(l)).length > 1) return l; return -1; }");
        Assert.True(level > 0, "the graph has no level with two frames");
        string selector = $"g.f[data-l=\"{level}\"]";
        string widest = await page.EvalOnSelectorAllAsync<string>(selector,
            "gs => gs.sort((a, b) => b.dataset.w - a.dataset.w)[1].querySelector('title').textContent");
        string name = widest[..widest.IndexOf(" (", StringComparison.Ordinal)];
        int second = await page.EvalOnSelectorAllAsync<int>(selector,
            "gs => { const sorted = [...gs].sort((a, b) => b.dataset.w - a.dataset.w); return gs.indexOf(sorted[1]); }");
        await page.Locator(selector).Nth(second).ClickAsync(new() { Force = true });
        double width = await page.EvalOnSelectorAllAsync<double>(selector,
            "gs => Math.max(...gs.filter(g => g.style.display !== 'none').map(g => +g.querySelector('rect').getAttribute('width')))");
        Assert.InRange(width, 1170, 1181);
        Assert.NotEmpty(name);

        page.Dialog += async (_, dialog) => await dialog.AcceptAsync("kmem_cache_grow");
        await page.ClickAsync("#search", new() { Force = true });
        Assert.True(await page.Locator("g.f.match").CountAsync() > 0);
        StringAssert(await page.TextContentAsync("#matched"), "Matched: ");
        await page.ClickAsync("#unzoom", new() { Force = true });
        await page.ScreenshotAsync(new() { Path = _files.Screenshot("flamegraph-svg") });
    }

    private static void StringAssert(string? actual, string prefix) => Assert.StartsWith(prefix, actual ?? string.Empty, StringComparison.Ordinal);

    private sealed record Frame(string Name, long Pages, double Width, bool Ancestor, int Index);

    private static async Task<List<Frame>> Frames(Browser browser, int depth)
    {
        string json = await browser.Page.EvaluateAsync<string>(
            "d => { const all = [...document.querySelectorAll('#flame .fr')]; return JSON.stringify(all.filter(e => e._node.depth === d)" +
            ".map(e => ({ name: e.dataset.name, pages: +e.dataset.pages, width: e.getBoundingClientRect().width, ancestor: e.classList.contains('anc'), index: all.indexOf(e) }))); }",
            depth);
        return JsonSerializer.Deserialize<List<Frame>>(json, s_json)!;
    }

    private sealed record FoldedStack(string[] Frames, long Pages);

    /// <summary>`pageext sort --format folded`: one line per stack, outermost frame first, with its pages.</summary>
    private List<FoldedStack> FoldedTotals() =>
        File.ReadAllLines(_files.Folded)
            .Select(line => new FoldedStack(line[..line.LastIndexOf(' ')].Split(';'), long.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture)))
            .ToList();

    /// <summary>Pageblocks ("Number of blocks type") and mixed blocks per type ("Number of mixed blocks"), summed over zones.</summary>
    private (long Blocks, Dictionary<string, long> Mixed) PageTypeInfoTotals()
    {
        long blocks = 0;
        var mixed = new Dictionary<string, long>();
        string[]? types = null;
        string section = "";
        foreach (string line in File.ReadAllLines(_files.PageTypeInfo))
        {
            if (line.StartsWith("Number of", StringComparison.Ordinal))
            {
                section = line.StartsWith("Number of mixed", StringComparison.Ordinal) ? "mixed" : "blocks";
                types = Regex.Split(line.Trim(), @"\s+").Skip(section == "mixed" ? 4 : 4).ToArray();
                continue;
            }

            var zone = Regex.Match(line, @"^Node\s+\d+, zone\s+\S+\s+(.*)$");
            if (!zone.Success || types is null || line.Contains("type", StringComparison.Ordinal))
            {
                continue;
            }

            var counts = Regex.Split(zone.Groups[1].Value.Trim(), @"\s+").Select(long.Parse).ToArray();
            for (int i = 0; i < counts.Length; i++)
            {
                if (section == "blocks")
                {
                    blocks += counts[i];
                }
                else if (section == "mixed")
                {
                    mixed[types[i]] = mixed.GetValueOrDefault(types[i]) + counts[i];
                }
            }
        }

        return (blocks, mixed);
    }
}
