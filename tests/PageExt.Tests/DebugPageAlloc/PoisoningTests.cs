using System.Globalization;
using System.Text;
using PageExt.Buddy;
using PageExt.DebugPageAlloc;
using PageExt.Physical;

namespace PageExt.Tests.DebugPageAlloc;

public sealed unsafe class PoisoningTests
{
    private static readonly DebugPageAllocSettings s_poison = new() { PagePoison = true };

    private static List<PageCorruptionReport> CaptureCorruption(DebugPageAllocFeature feature)
    {
        var reports = new List<PageCorruptionReport>();
        feature.Corruption += reports.Add;
        return reports;
    }

    /// <summary>A block that was allocated and freed: it now holds the poison, and its address is still ours to scribble on.</summary>
    private static byte* AllocateAndFree(Machine machine, int order, out Pfn pfn)
    {
        Assert.True(machine.TryAllocPages(GfpFlags.Kernel, order, out pfn));
        byte* block = (byte*)machine.PageAddress(pfn);
        machine.FreePages(pfn, order);
        return block;
    }

    [Fact]
    public void FreedPageHoldsThePoisonAndIsFlagged()
    {
        using var machine = DebugPageAllocMachines.Boot(s_poison, out var feature);
        Assert.True(feature.PagePoisonEnabled);
        Assert.False(feature.DebugPageallocEnabled);
        Assert.True(machine.TryAllocPages(GfpFlags.Kernel, 2, out var pfn));
        machine.PageSpan(pfn, 2).Fill(0x11);
        machine.FreePages(pfn, 2);

        var bytes = new ReadOnlySpan<byte>((void*)machine.PageAddress(pfn), PageSize.Bytes << 2);
        Assert.Equal(-1, bytes.IndexOfAnyExcept((byte)0xaa));
        for (ulong i = 0; i < 4; i++)
        {
            Assert.True(feature.Poison.IsPoisoned((uint)(pfn.Value + i)));
        }

        machine.AssertAllConsistent(feature);
    }

    [Fact]
    public void WriteAfterFreeIsReportedWithExactOffsetsAndThePageIsHandedOut()
    {
        using var machine = DebugPageAllocMachines.Boot(s_poison, out var feature);
        var reports = CaptureCorruption(feature);
        byte* page = AllocateAndFree(machine, 0, out var pfn);

        // The stale user writes 20 bytes across a 16-byte row boundary.
        for (int i = 0; i < 20; i++)
        {
            page[0x7f3 + i] = (byte)('A' + i);
        }

        Assert.True(machine.TryAllocPages(GfpFlags.Kernel | GfpFlags.Zero, 0, out var again));
        Assert.Equal(pfn, again);
        Assert.Equal(-1, machine.PageSpan(again).IndexOfAnyExcept((byte)0));

        var report = Assert.Single(reports);
        Assert.Equal(pfn, report.Pfn);
        Assert.Equal(0x7f3, report.FirstOffset);
        Assert.Equal(0x806, report.LastOffset);
        Assert.False(report.SingleBitError);
        Assert.True(report.Printed);
        Assert.Equal(1, feature.CorruptionCount);

        ulong address = (ulong)page + 0x7f3;
        string[] lines = report.Text.Split('\n');
        Assert.Equal("pagealloc: memory corruption", lines[0]);
        Assert.Equal($"{address:x16}: 41 42 43 44 45 46 47 48 49 4a 4b 4c 4d 4e 4f 50  ABCDEFGHIJKLMNOP", lines[1]);
        Assert.Equal($"{address + 16:x16}: 51 52 53 54                                      QRST", lines[2]);
        Assert.Equal($"pagealloc: pfn {pfn}: 20 bytes from offset 0x7f3 to 0x806 no longer hold the poison 0xaa", lines[3]);
        Assert.StartsWith("CPU: ", lines[4], StringComparison.Ordinal);
        Assert.Equal("Call Trace:", lines[5]);
        Assert.Contains(lines, l => l == $"page: refcount:1 mapcount:0 mapping:0000000000000000 index:0x0 pfn:{pfn}");
        Assert.Contains(lines, l => l.StartsWith("flags: 0x", StringComparison.Ordinal) && l.EndsWith("(node=0|zone=1)", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("raw: ", StringComparison.Ordinal));
        Assert.Equal("page dumped because: pagealloc: corrupted page details", lines[^1]);
        Assert.True(machine.Log.Contains($"{address:x16}: 41 42 43"));
        Assert.False(feature.Poison.IsPoisoned((uint)pfn.Value));
        machine.AssertAllConsistent(feature);
    }

    [Fact]
    public void SingleFlippedBitIsASingleBitError()
    {
        using var machine = DebugPageAllocMachines.Boot(s_poison, out var feature);
        var reports = CaptureCorruption(feature);
        byte* page = AllocateAndFree(machine, 0, out var pfn);
        page[0xabc] ^= 0x10;

        Assert.True(machine.TryAllocPages(GfpFlags.Kernel, 0, out var again));
        Assert.Equal(pfn, again);
        var report = Assert.Single(reports);
        Assert.True(report.SingleBitError);
        Assert.Equal(0xabc, report.FirstOffset);
        Assert.Equal(0xabc, report.LastOffset);
        string[] lines = report.Text.Split('\n');
        Assert.Equal("pagealloc: single bit error", lines[0]);
        Assert.Equal($"{(ulong)page + 0xabc:x16}: ba" + new string(' ', 47) + ".", lines[1]);
        machine.AssertAllConsistent(feature);
    }

    [Fact]
    public void TwoFlippedBitsInOneByteAreACorruptionNotASingleBitError()
    {
        using var machine = DebugPageAllocMachines.Boot(s_poison, out var feature);
        var reports = CaptureCorruption(feature);
        byte* page = AllocateAndFree(machine, 0, out var pfn);
        page[5] ^= 0x03;

        Assert.True(machine.TryAllocPages(GfpFlags.Kernel, 0, out _));
        var report = Assert.Single(reports);
        Assert.False(report.SingleBitError);
        Assert.StartsWith("pagealloc: memory corruption\n", report.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void CorruptionInsideAnOrder3BlockNamesThePage()
    {
        using var machine = DebugPageAllocMachines.Boot(s_poison, out var feature);
        var reports = CaptureCorruption(feature);
        byte* block = AllocateAndFree(machine, 3, out var pfn);
        block[(5 * PageSize.Bytes) + 0xff0] = 0;
        block[(5 * PageSize.Bytes) + 0xfff] = 0;

        Assert.True(machine.TryAllocPages(GfpFlags.Kernel, 3, out var again));
        Assert.Equal(pfn, again);
        var report = Assert.Single(reports);
        Assert.Equal(pfn + 5, report.Pfn);
        Assert.Equal(0xff0, report.FirstOffset);
        Assert.Equal(0xfff, report.LastOffset);
        machine.AssertAllConsistent(feature);
    }

    [Fact]
    public void MemoryNeverFreedIsNotChecked()
    {
        using var machine = DebugPageAllocMachines.Boot(s_poison, out var feature);

        // Boot memory reached the buddy without a free: it holds zeros, not poison, and the seed
        // checks only pages that carry PAGE_EXT_DEBUG_POISON.
        for (int i = 0; i < 64; i++)
        {
            Assert.True(machine.TryAllocPages(GfpFlags.Kernel, 0, out _));
        }

        Assert.Equal(0, feature.CorruptionCount);
        machine.AssertAllConsistent(feature);
    }

    [Fact]
    public void ReportsAreRateLimitedButAlwaysCountedAndRaised()
    {
        var clock = new DebugPageAllocMachines.ManualClock();
        using var machine = DebugPageAllocMachines.Boot(s_poison, out var feature, clock: clock);
        var reports = CaptureCorruption(feature);

        for (int i = 0; i < 12; i++)
        {
            CorruptOnePage(machine);
        }

        Assert.Equal(12, reports.Count);
        Assert.Equal(12, feature.CorruptionCount);
        Assert.Equal(10, reports.Count(r => r.Printed));
        Assert.Equal(10, machine.Log.Lines.Count(l => l == "pagealloc: memory corruption"));

        clock.Advance(TimeSpan.FromSeconds(5));
        CorruptOnePage(machine);
        Assert.True(reports[^1].Printed);
        var lines = machine.Log.Lines;
        int suppressed = lines.ToList().IndexOf("check_poison_mem: 2 callbacks suppressed");
        Assert.True(suppressed >= 0, "the suppressed count is printed when the next interval starts");
        Assert.Equal("pagealloc: memory corruption", lines[suppressed + 1]);
        machine.AssertAllConsistent(feature);
    }

    [Fact]
    public void PageDetailsProviderLinesEndTheReport()
    {
        using var machine = DebugPageAllocMachines.Boot(s_poison, out var feature);
        feature.PageDetails = new FixedDetails();
        var reports = CaptureCorruption(feature);
        var pfn = CorruptOnePage(machine);

        var lines = Assert.Single(reports).Text.Split('\n');
        Assert.Equal("page dumped because: pagealloc: corrupted page details", lines[^3]);
        Assert.Equal("page_owner tracks the page as freed", lines[^2]);
        Assert.Equal($"page last free pid 1 tgid 1 stack trace: pfn {pfn}", lines[^1]);
    }

    [Fact]
    public void PoisoningIsOffByDefaultAndInstallsNoHook()
    {
        using var machine = DebugPageAllocMachines.Boot(DebugPageAllocSettings.Off, out var feature);
        Assert.False(feature.PagePoisonEnabled);
        Assert.False(feature.DebugPageallocEnabled);
        Assert.False(machine.Allocator.HasHooks);
        Assert.False(machine.PageExt.Enabled);
        Assert.True(machine.TryAllocPages(GfpFlags.Kernel, 0, out var pfn));
        machine.PageSpan(pfn).Fill(0x11);
        machine.FreePages(pfn, 0);
        Assert.Equal(0x11, *(byte*)machine.PageAddress(pfn));
        machine.AssertAllConsistent(feature);
    }

    /// <summary>Allocate, free, write one byte, allocate again: one corruption.</summary>
    private static Pfn CorruptOnePage(Machine machine)
    {
        byte* page = AllocateAndFree(machine, 0, out var pfn);
        page[100] = 0x42;
        Assert.True(machine.TryAllocPages(GfpFlags.Kernel, 0, out var again));
        Assert.Equal(pfn, again);
        machine.FreePages(again, 0);
        return pfn;
    }

    private sealed class FixedDetails : IPageDetailsProvider
    {
        public void AppendPageDetails(Pfn pfn, StringBuilder text) =>
            text.Append("page_owner tracks the page as freed\n")
                .Append(CultureInfo.InvariantCulture, $"page last free pid 1 tgid 1 stack trace: pfn {pfn}\n");
    }
}
