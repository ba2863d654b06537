namespace PageExt.Report.Tests;

/// <summary>
/// A test that needs the system Chromium. Where /usr/bin/chromium is missing (a user's clone without
/// it) the test is skipped, saying why; CI sets PAGEEXT_REQUIRE_CHROMIUM=1 (.ci/run installs
/// Chromium first), and then a missing browser fails the tests instead of skipping them.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ChromiumFactAttribute : FactAttribute
{
    public const string ChromiumPath = "/usr/bin/chromium";

    public ChromiumFactAttribute()
    {
        if (!File.Exists(ChromiumPath) && Environment.GetEnvironmentVariable("PAGEEXT_REQUIRE_CHROMIUM") != "1")
        {
            Skip = $"{ChromiumPath} is not installed (apt-get install chromium); set PAGEEXT_REQUIRE_CHROMIUM=1 to fail instead";
        }
    }
}
