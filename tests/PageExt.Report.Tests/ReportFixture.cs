using PageExt.Cli;
using PageExt.Cli.Commands;

namespace PageExt.Report.Tests;

/// <summary>
/// One small live machine, run once for all the browser tests: its report, its page_owner dump and
/// pagetypeinfo and zoneinfo (taken at the same moment), the dump's report, a diff report and an SVG flame graph.
/// Everything lands in the test output folder, so the reports and screenshots are kept as artefacts.
/// </summary>
public sealed class ReportFixture
{
    public ReportFixture()
    {
        Directory = Path.Combine(AppContext.BaseDirectory, "artefacts");
        System.IO.Directory.CreateDirectory(Directory);
        Run("run", "--cmdline", "page_owner=on", "--memory", "128M", "--seed", "7", "--steps", "60000",
            "--page-owner", Dump, "--pagetypeinfo", PageTypeInfo, "--zoneinfo", ZoneInfo, "--report", LiveReport);
        Run("run", "--cmdline", "page_owner=on", "--memory", "128M", "--seed", "7", "--steps", "30000", "--page-owner", OldDump);
        Run("report", Dump, "-o", DumpReport);
        Run("report", "--diff", OldDump, Dump, "-o", DiffReport);
        Run("report", "--format", "svg", Dump, "-o", FlameGraph);
        Run("sort", "--format", "folded", Dump, Folded);
        Run("report", PageTypeInfo, "-o", PageTypeInfoReport);
        Run("report", ZoneInfo, "-o", ZoneInfoReport);
    }

    public string Directory { get; }

    public string Dump => Path.Combine(Directory, "dump.txt");

    public string OldDump => Path.Combine(Directory, "dump-old.txt");

    public string PageTypeInfo => Path.Combine(Directory, "pagetypeinfo.txt");

    /// <summary>The live machine's /proc/zoneinfo, taken at the same moment as its report.</summary>
    public string ZoneInfo => Path.Combine(Directory, "zoneinfo.txt");

    /// <summary>The report of that zoneinfo file alone.</summary>
    public string ZoneInfoReport => Path.Combine(Directory, "zoneinfo.html");

    public string LiveReport => Path.Combine(Directory, "live.html");

    public string DumpReport => Path.Combine(Directory, "dump.html");

    public string DiffReport => Path.Combine(Directory, "diff.html");

    public string FlameGraph => Path.Combine(Directory, "flamegraph.svg");

    /// <summary>The report of the live machine's /proc/pagetypeinfo file alone.</summary>
    public string PageTypeInfoReport => Path.Combine(Directory, "pagetypeinfo.html");

    public string Folded => Path.Combine(Directory, "dump.folded");

    public string Screenshot(string name) => Path.Combine(Directory, name + ".png");

    private static void Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int exit = CommandTable.Run(args, new CliContext(stdout, stderr, () => new MemoryStream()));
        if (exit != 0)
        {
            throw new InvalidOperationException($"pageext {string.Join(' ', args)} exited {exit}: {stderr}");
        }
    }
}
