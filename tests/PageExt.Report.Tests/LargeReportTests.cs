using System.Globalization;

namespace PageExt.Report.Tests;

/// <summary>
/// The load time of a big report, measured by hand (no large dump is kept in the repository):
/// <c>PAGEEXT_LARGE_REPORT=/tmp/r1g.html dotnet test tests/PageExt.Report.Tests -c Release --filter LargeReport</c>.
/// The time goes to artefacts/large-report-load.txt (to the load event, and to the memory map drawn
/// after scrolling to it); it is reported, not asserted.
/// </summary>
public sealed class LargeReportTests
{
    private static readonly string? s_report = Environment.GetEnvironmentVariable(LargeReportFactAttribute.Variable);

    [LargeReportFact]
    public async Task LargeReport_renders_every_view_in_chromium()
    {
        await using var browser = await Browser.OpenAsync(Path.GetFullPath(s_report!));
        Assert.Equal("1", await browser.Page.GetAttributeAsync("body", "data-ready"));
        Assert.Empty(browser.ConsoleErrors);
        double loadEvent = await browser.Page.EvaluateAsync<double>("() => performance.getEntriesByType('navigation')[0].loadEventEnd");
        double mapDrawn = await browser.ShowMapAsync();
        Assert.True(int.Parse(await browser.Page.GetAttributeAsync("#map", "data-cells") ?? "0", CultureInfo.InvariantCulture) > 0);
        string folder = Path.Combine(AppContext.BaseDirectory, "artefacts");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "large-report-load.txt"),
            string.Create(CultureInfo.InvariantCulture, $"{s_report}: {new FileInfo(s_report!).Length} bytes, loaded in {browser.LoadTime.TotalMilliseconds:F0} ms (Playwright's navigation; the page's own clock: load event {loadEvent:F0} ms), memory map drawn {mapDrawn:F0} ms after navigation\n"));
        await browser.Page.ScreenshotAsync(new() { Path = Path.Combine(folder, "large-report.png") });
    }
}

/// <summary>Runs only when PAGEEXT_LARGE_REPORT names a report and Chromium is installed.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class LargeReportFactAttribute : FactAttribute
{
    public const string Variable = "PAGEEXT_LARGE_REPORT";

    public LargeReportFactAttribute()
    {
        if (Environment.GetEnvironmentVariable(Variable) is null)
        {
            Skip = $"a measurement: set {Variable} to a report to time its loading";
        }
        else if (!File.Exists(ChromiumFactAttribute.ChromiumPath))
        {
            Skip = $"{ChromiumFactAttribute.ChromiumPath} is not installed";
        }
    }
}
