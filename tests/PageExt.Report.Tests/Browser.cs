using Microsoft.Playwright;

namespace PageExt.Report.Tests;

/// <summary>
/// Headless system Chromium driven by Playwright, in a fresh profile, with every request and every
/// console error of the page recorded. Playwright cannot download its own browsers here, so it is
/// pointed at /usr/bin/chromium; the switches keep Chromium itself from reaching the network.
/// </summary>
internal sealed class Browser : IAsyncDisposable
{
    private readonly IPlaywright _playwright;
    private readonly IBrowserContext _context;
    private readonly string _profile;

    private Browser(IPlaywright playwright, IBrowserContext context, string profile, IPage page)
    {
        _playwright = playwright;
        _context = context;
        _profile = profile;
        Page = page;
    }

    public IPage Page { get; }

    public List<string> Requests { get; } = [];

    /// <summary>From navigation to the load event: the flame graph and the first table render before it fires, the memory map after (<see cref="ShowMapAsync"/>).</summary>
    public TimeSpan LoadTime { get; private set; }

    public List<string> ConsoleErrors { get; } = [];

    public static async Task<Browser> OpenAsync(string file)
    {
        var playwright = await Playwright.CreateAsync();
        string profile = Path.Combine(Path.GetTempPath(), "pageext-chromium-" + Guid.NewGuid().ToString("N"));
        var context = await playwright.Chromium.LaunchPersistentContextAsync(profile, new BrowserTypeLaunchPersistentContextOptions
        {
            ExecutablePath = ChromiumFactAttribute.ChromiumPath,
            Headless = true,
            ViewportSize = new ViewportSize { Width = 1280, Height = 800 },
            Args =
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync",
            ],
        });
        var page = context.Pages.Count > 0 ? context.Pages[0] : await context.NewPageAsync();
        var browser = new Browser(playwright, context, profile, page);
        context.Request += (_, request) => browser.Requests.Add(request.Url);
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                browser.ConsoleErrors.Add(message.Text);
            }
        };
        page.PageError += (_, error) => browser.ConsoleErrors.Add(error);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await page.GotoAsync(new Uri(file).AbsoluteUri);
        browser.LoadTime = clock.Elapsed;
        return browser;
    }

    /// <summary>
    /// Scrolls the memory map into view and waits until it is drawn: the page draws it after the
    /// first paint, not while it loads. Returns the milliseconds from navigation to the map drawn, or -1 from a page that draws it while loading.
    /// </summary>
    public async Task<double> ShowMapAsync()
    {
        await Page.Locator("#map-section").ScrollIntoViewIfNeededAsync();
        await Page.WaitForSelectorAsync("#map[data-cells]", new() { State = WaitForSelectorState.Attached });
        return await Page.EvaluateAsync<double>("() => Number(document.getElementById('map').dataset.drawnAt || -1)");
    }

    public async ValueTask DisposeAsync()
    {
        await _context.CloseAsync();
        _playwright.Dispose();
        try
        {
            Directory.Delete(_profile, recursive: true);
        }
        catch (IOException)
        {
            // Chromium may still be letting go of its profile; it lives in the temporary folder.
        }
    }
}
