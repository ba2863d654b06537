using System.Text;
using PageExt.Analysis.Proc;
using PageExt.Analysis.Text;
using PageExt.Buddy;
using PageExt.Views;

namespace PageExt.Analysis.Tests.Proc;

/// <summary>The machine's /proc/zoneinfo view in the kernel's format, read back by the reader that reads a kernel's.</summary>
public sealed class ZoneInfoViewTests
{
    private static Machine Boot() => Machine.Boot(new MachineDescription { MemoryBytes = 128L << 20, Cpus = 2, CommandLine = "" });

    [Fact]
    public void Zoneinfo_view_reads_back_to_the_machines_zones_with_no_diagnostic()
    {
        using var machine = Boot();
        var held = new List<PageExt.Physical.Pfn>();
        for (int i = 0; i < 3000; i++)
        {
            if (machine.TryAllocPages(i % 3 == 0 ? GfpFlags.Kernel : GfpFlags.HighUserMovable, i % 4 == 0 ? 2 : 0, out var pfn))
            {
                held.Add(pfn);
            }
        }

        string text = ZoneInfo.Render(machine);
        var diagnostics = new TextDiagnostics();
        var zones = ZoneInfoReader.Read(new MemoryStream(Encoding.UTF8.GetBytes(text)), diagnostics);
        Assert.Equal(0, diagnostics.Warnings + diagnostics.Notes);
        Assert.Equal(machine.Zones.Select(z => (z.Node, z.Name)), zones.Select(z => (z.Node, z.Name)));
        foreach (var (zone, read) in machine.Zones.Zip(zones))
        {
            Assert.Equal(zone.FreePages, read.Free);
            Assert.Equal(zone.Watermarks.Min, read.Min);
            Assert.Equal(zone.Watermarks.Low, read.Low);
            Assert.Equal(zone.Watermarks.High, read.High);
            Assert.Equal((long)zone.SpannedPages, read.Spanned);
            Assert.Equal(zone.PresentPages, read.Present);
            Assert.Equal(zone.ManagedPages, read.Managed);
            Assert.Equal(4, read.Protection.Count);
            if (zone.IsPopulated)
            {
                // One pageset per registered cache (a thread's, as design.md says).
                Assert.Equal(machine.Allocator.CacheCount, read.Pagesets.Count);
                Assert.Equal((long)zone.StartPfn.Value, read.StartPfn);
                Assert.Equal(zone.FreePages, read.Counters["nr_free_pages"]);
            }
            else
            {
                Assert.Empty(read.Pagesets);
                Assert.Null(read.StartPfn);
            }
        }

        // The per-CPU pages are the caches' pages, none counted free.
        Assert.Equal(machine.Allocator.CachedPages, zones.Sum(z => z.Pagesets.Sum(p => p.Count)));
        Assert.Contains(zones, z => z.Pagesets.Any(p => p.Count > 0 && p.Batch > 0 && p.High >= p.Batch));
    }

    [Fact]
    public void Zoneinfo_view_prints_the_kernels_layout()
    {
        using var machine = Boot();
        var lines = ZoneInfo.Render(machine).Split('\n');
        Assert.Equal("Node 0, zone      DMA", lines[0]);
        Assert.Matches(@"^  pages free     \d+$", lines[1]);
        Assert.Equal("        boost    0", lines[2]);
        Assert.Matches(@"^        min      \d+$", lines[3]);
        Assert.Matches(@"^        protection: \(0, \d+, \d+, \d+\)$", lines[11]);
        Assert.Matches(@"^      nr_free_pages \d+$", lines[12]);
        Assert.Equal("      nr_free_cma  0", lines[13]);
        Assert.Contains("  node_unreclaimable:  0", lines);
        Assert.Contains(lines, l => l.StartsWith("  start_pfn:           ", StringComparison.Ordinal));
        Assert.Equal("", lines[^1]);
    }
}
