using System.Diagnostics;
using System.Text.RegularExpressions;

namespace PageExt.Tests.PageOwner;

/// <summary>
/// One call path is one stack, whatever the JIT did. Each case runs the built-in workload in a
/// child `pageext run` under the runtime's default settings or one JIT setting changed through its
/// environment variable, long enough for the allocator to be recompiled at least once (tier 0, OSR,
/// tier 1 with or without PGO), and checks that every one of the workload's five call sites is
/// one entry of page_owner_stacks and one stack text in the page_owner dump.
/// </summary>
public sealed partial class StackIdentityChildProcessTests
{
    private static readonly string[] s_sites =
        ["page_cache_ra_order", "kmem_cache_grow", "kmem_cache_grow_reclaimable", "netdev_rx_refill", "do_huge_pmd_anonymous_page"];

    public static TheoryData<string> JitSettings() =>
    [
        "",
        "DOTNET_TieredPGO=0",
        "DOTNET_TieredCompilation=0",
        "DOTNET_TC_QuickJitForLoops=0",
        "DOTNET_TC_OnStackReplacement_InitialCounter=1 DOTNET_OSR_HitLimit=1",
        "DOTNET_TC_CallCountThreshold=1 DOTNET_TC_CallCountingDelayMs=0",
        "DOTNET_ReadyToRun=0",
    ];

    [Theory]
    [MemberData(nameof(JitSettings))]
    public void Each_call_site_of_the_built_in_workload_is_one_page_owner_stacks_entry(string environment)
    {
        var (stacks, dump) = RunWorkload(environment, "modern");

        var entries = stacks.Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.True(entries.Length == s_sites.Length, $"{entries.Length} entries for {s_sites.Length} call sites:\n{stacks}");
        foreach (var site in s_sites)
        {
            var mine = entries.Where(e => e.Contains($" Workload.{site}+", StringComparison.Ordinal)).ToArray();
            Assert.True(mine.Length == 1, $"{site}: {mine.Length} entries:\n{string.Join("\n\n", mine)}");
            Assert.StartsWith(" get_page_from_freelist+0x0/0x0\n __alloc_frozen_pages_noprof+0x0/0x0\n Workload." + site + "+", mine[0], StringComparison.Ordinal);
        }

        AssertOneStackTextPerSite(dump);
    }

    [Fact]
    public void Each_call_site_is_one_stack_text_in_the_2014_dump()
    {
        var (_, dump) = RunWorkload("", "2014");
        Assert.Contains(" [<0000000000000000>] get_page_from_freelist+0x0/0x0\n", dump, StringComparison.Ordinal);
        AssertOneStackTextPerSite(dump);
    }

    /// <summary>Every record's stack lines (those that start with a space), grouped by the site they name: one text per site.</summary>
    private static void AssertOneStackTextPerSite(string dump)
    {
        var bySite = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var record in dump.Split("\n\n", StringSplitOptions.RemoveEmptyEntries))
        {
            string stack = string.Join('\n', record.Split('\n').Where(l => l.StartsWith(' ')));
            var site = SiteFrame().Match(stack);
            if (!site.Success)
            {
                continue;
            }

            if (!bySite.TryGetValue(site.Groups["site"].Value, out var texts))
            {
                bySite[site.Groups["site"].Value] = texts = new HashSet<string>(StringComparer.Ordinal);
            }

            texts.Add(stack);
        }

        Assert.Equal(s_sites.Order(StringComparer.Ordinal), bySite.Keys.Order(StringComparer.Ordinal));
        foreach (var (site, texts) in bySite)
        {
            Assert.True(texts.Count == 1, $"{site}: {texts.Count} stack texts in the dump:\n{string.Join("\n--\n", texts)}");
        }
    }

    [GeneratedRegex(@" Workload\.(?<site>[a-z_]+)\+")]
    private static partial Regex SiteFrame();

    private static (string Stacks, string Dump) RunWorkload(string environment, string format)
    {
        string cli = Path.Combine(AppContext.BaseDirectory, "PageExt.Cli.dll");
        Assert.True(File.Exists(cli), $"{cli} is missing: the test project references PageExt.Cli to run it as a child");
        string folder = Directory.CreateTempSubdirectory("pageext-stacks-").FullName;
        try
        {
            string stacksPath = Path.Combine(folder, "stacks.txt");
            string dumpPath = Path.Combine(folder, "page_owner.txt");
            var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var arg in (string[])[cli, "run", "--memory", "256M", "--steps", "100000", "--cmdline", "page_owner=on",
                "--page-owner-stacks", stacksPath, "--page-owner", dumpPath, "--page-owner-format", format])
            {
                start.ArgumentList.Add(arg);
            }

            // The child gets the runtime's defaults (and the CLI's runtimeconfig), whatever this host runs with.
            foreach (var key in start.Environment.Keys.Where(IsJitSetting).ToArray())
            {
                start.Environment.Remove(key);
            }

            foreach (var setting in environment.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                var (name, value) = (setting[..setting.IndexOf('=')], setting[(setting.IndexOf('=') + 1)..]);
                start.Environment[name] = value;
            }

            using var child = Process.Start(start)!;
            var stderr = child.StandardError.ReadToEndAsync();
            string stdout = child.StandardOutput.ReadToEnd();
            Assert.True(child.WaitForExit(TimeSpan.FromMinutes(3)), "pageext run did not finish in 3 minutes");
            Assert.True(child.ExitCode == 0, $"exit {child.ExitCode}\nstdout:\n{stdout}\nstderr:\n{stderr.Result}");
            return (File.ReadAllText(stacksPath), File.ReadAllText(dumpPath));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static bool IsJitSetting(string name) =>
        (name.StartsWith("DOTNET_", StringComparison.OrdinalIgnoreCase) || name.StartsWith("COMPlus_", StringComparison.OrdinalIgnoreCase))
        && Regex.IsMatch(name, "_(Tiered|TC_|OSR|ReadyToRun|Jit|ZapDisable)", RegexOptions.IgnoreCase);
}
