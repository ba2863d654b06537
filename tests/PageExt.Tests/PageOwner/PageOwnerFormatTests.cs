using System.Text.RegularExpressions;
using PageExt.Buddy;
using PageExt.PageOwner;
using PageExt.Physical;

namespace PageExt.Tests.PageOwner;

/// <summary>The page_owner files in the kernel's formats, line by line.</summary>
public partial class PageOwnerFormatTests
{
    [GeneratedRegex(@"^Page allocated via order (\d+), mask 0x[0-9a-f]+\([A-Z_|x0-9a-f]*\), pid \d+, tgid \d+ \(.+\), ts \d+ ns$")]
    private static partial Regex ModernLine1();

    [GeneratedRegex(@"^PFN 0x([0-9a-f]+) type (Unmovable|Movable|Reclaimable) Block (\d+) type (Unmovable|Movable|Reclaimable|HighAtomic|CMA|Isolate) Flags 0x[0-9a-f]+\([a-z_0-9|=]*\)$")]
    private static partial Regex ModernLine2();

    [GeneratedRegex(@"^Page allocated via order \d+, mask 0x[0-9a-f]+$")]
    private static partial Regex SeedLine1();

    [GeneratedRegex(@"^PFN (\d+) Block (\d+) type [0-5] (Fallback|        ) Flags [K ][E ][R ][U ][D ][L ][A ][S ][W ][C ][B ][M ]$")]
    private static partial Regex SeedLine2();

    [GeneratedRegex(@"^ \[<[0-9a-f]{16}>\] .+$")]
    private static partial Regex SeedFrame();

    private static Machine BootWithAllocations(out List<(Pfn Pfn, int Order)> live)
    {
        var m = TestMachines.Boot(memoryBytes: 128L << 20, cmdline: "page_owner=on");
        live = [];
        foreach (var (gfp, order) in new[] { (GfpFlags.Kernel, 0), (GfpFlags.HighUserMovable, 2), (GfpFlags.Kernel | GfpFlags.Comp, 3), (GfpFlags.Atomic, 1) })
        {
            Assert.True(m.TryAllocPages(gfp, order, out var pfn));
            live.Add((pfn, order));
        }

        Assert.True(m.TryAllocPages(GfpFlags.Kernel, 0, out var freed));
        m.FreePages(freed, 0);
        return m;
    }

    [Fact]
    public void Modern_dump_prints_one_record_per_allocation_in_the_kernel_format()
    {
        using var m = BootWithAllocations(out var live);
        var output = new StringWriter();
        long records = PageOwnerDump.Write(output, m.PageOwner);
        Assert.Equal(m.PageOwner.EarlyAllocatedPages + live.Count, records);
        var blocks = output.ToString().Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(records, blocks.Length);
        Assert.EndsWith("\n\n", output.ToString(), StringComparison.Ordinal);
        var heads = new HashSet<ulong>();
        foreach (var block in blocks)
        {
            var lines = block.Split('\n');
            Assert.Matches(ModernLine1(), lines[0]);
            var pfnLine = ModernLine2().Match(lines[1]);
            Assert.True(pfnLine.Success, lines[1]);
            ulong pfn = Convert.ToUInt64(pfnLine.Groups[1].Value, 16);
            Assert.Equal(pfn >> 9, ulong.Parse(pfnLine.Groups[3].Value));
            heads.Add(pfn);
            Assert.True(lines.Length >= 3);
            Assert.All(lines[2..], l => Assert.StartsWith(" ", l, StringComparison.Ordinal));
        }

        Assert.All(live, l => Assert.Contains(l.Pfn.Value, heads));
        string text = output.ToString();
        Assert.Contains("mask 0xcc0(GFP_KERNEL), pid", text, StringComparison.Ordinal);
        Assert.Contains("mask 0x100cca(GFP_HIGHUSER_MOVABLE), pid", text, StringComparison.Ordinal);
        Assert.Contains("(head|node=0|zone=1)", text, StringComparison.Ordinal);
        Assert.Contains("\n get_page_from_freelist+0x0/0x0\n __alloc_frozen_pages_noprof+0x0/0x0\n PageExt.Tests.PageOwner.PageOwnerFormatTests.", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Seed_2014_dump_uses_decimal_pfn_numeric_types_flag_columns_and_address_frames()
    {
        using var m = BootWithAllocations(out var live);
        var output = new StringWriter();
        PageOwnerDump.Write(output, m.PageOwner, DumpFormat.Seed2014);
        var blocks = output.ToString().Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        foreach (var block in blocks)
        {
            var lines = block.Split('\n');
            Assert.Matches(SeedLine1(), lines[0]);
            Assert.Matches(SeedLine2(), lines[1]);
            Assert.InRange(lines.Length - 2, 1, 9);
            Assert.All(lines[2..], l => Assert.Matches(SeedFrame(), l));
        }

        // GFP_KERNEL in the 3.19 bit layout is 0xd0; the compound order-3 slab page shows C.
        Assert.Contains("Page allocated via order 0, mask 0xd0\n", output.ToString(), StringComparison.Ordinal);
        Assert.Contains(" Flags          C  \n", output.ToString(), StringComparison.Ordinal);
    }

    /// <summary>
    /// 3.19 kept each page's trace in page_ext and had no sentinel handles; a page whose stack was
    /// not captured prints as an empty saved trace does on x86: the ULONG_MAX terminator alone.
    /// </summary>
    [Fact]
    public void Seed_2014_dump_prints_sentinel_stacks_as_an_empty_trace_never_their_marker_bytes()
    {
        using var m = TestMachines.Boot(cmdline: "page_owner=on");
        Assert.True(m.PageOwner.EarlyAllocatedPages > 0);
        var output = new StringWriter();
        PageOwnerDump.Write(output, m.PageOwner, DumpFormat.Seed2014);
        string text = output.ToString();
        Assert.DoesNotContain("53454e54494e454c", text, StringComparison.Ordinal);
        Assert.DoesNotContain("early_stack", text, StringComparison.Ordinal);
        var early = text.Split("\n\n", StringSplitOptions.RemoveEmptyEntries)
            .Select(b => b.Split('\n'))
            .Where(lines => lines[0] == "Page allocated via order 0, mask 0x0")
            .ToList();
        Assert.Equal(m.PageOwner.EarlyAllocatedPages, early.Count);
        Assert.All(early, lines => Assert.Equal([" [<ffffffffffffffff>] 0xffffffffffffffff"], lines[2..]));
    }

    [Fact]
    public void Dump_can_start_at_a_pfn_like_lseek()
    {
        using var m = BootWithAllocations(out var live);
        var last = live.Max(l => l.Pfn.Value);
        var output = new StringWriter();
        long records = PageOwnerDump.Write(output, m.PageOwner, DumpFormat.Modern, last);
        Assert.True(records >= 1);
        Assert.StartsWith("Page allocated via order", output.ToString(), StringComparison.Ordinal);
        Assert.Contains($"PFN 0x{last:x} ", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Page_owner_stacks_show_live_pages_newest_first_with_threshold_and_handles()
    {
        using var m = TestMachines.Boot(memoryBytes: 128L << 20, cmdline: "page_owner=on");
        var kept = Enumerable.Range(0, 5).Select(_ => PageOwnerRecordingTests.AllocFromSiteA(m)).ToList();
        Assert.True(m.TryAllocPages(GfpFlags.Kernel, 2, out var four));
        var stacks = new StringWriter();
        PageOwnerStacks.WriteStacks(stacks, m.PageOwner);
        var entries = stacks.ToString().Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.All(entries, e => Assert.Matches(@"\nnr_base_pages: \d+$", e));
        Assert.Contains(entries, e => e.Contains("AllocFromSiteA", StringComparison.Ordinal) && e.EndsWith("nr_base_pages: 5", StringComparison.Ordinal));
        Assert.EndsWith("nr_base_pages: 4", entries[0], StringComparison.Ordinal); // the newest stack first

        m.PageOwner.CountThreshold = 5;
        var filtered = new StringWriter();
        PageOwnerStacks.WriteStacks(filtered, m.PageOwner);
        Assert.DoesNotContain("nr_base_pages: 4", filtered.ToString(), StringComparison.Ordinal);

        var handles = new StringWriter();
        PageOwnerStacks.WriteHandles(handles, m.PageOwner);
        Assert.Matches(@"^(handle: \d+\nnr_base_pages: \d+\n\n)+$", handles.ToString());
        var both = new StringWriter();
        PageOwnerStacks.WriteStacksHandles(both, m.PageOwner);
        Assert.DoesNotContain("nr_base_pages", both.ToString(), StringComparison.Ordinal);
        Assert.Contains("handle: ", both.ToString(), StringComparison.Ordinal);

        foreach (var pfn in kept)
        {
            m.FreePages(pfn, 0);
        }

        var after = new StringWriter();
        m.PageOwner.CountThreshold = 0;
        PageOwnerStacks.WriteStacks(after, m.PageOwner);
        Assert.DoesNotContain("AllocFromSiteA", after.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Dump_page_owner_tells_who_allocated_and_who_freed()
    {
        using var m = TestMachines.Boot(memoryBytes: 128L << 20, cmdline: "page_owner=on");
        var pfn = PageOwnerRecordingTests.AllocFromSiteA(m);
        string allocated = m.PageOwner.DescribePage(pfn);
        Assert.StartsWith("page_owner tracks the page as allocated\npage last allocated via order 0, migratetype Unmovable, gfp_mask 0xcc0(GFP_KERNEL), pid ", allocated, StringComparison.Ordinal);
        m.FreePages(pfn, 0);
        string freed = m.PageOwner.DescribePage(pfn);
        Assert.StartsWith("page_owner tracks the page as freed\n", freed, StringComparison.Ordinal);
        Assert.Contains("page last free pid ", freed, StringComparison.Ordinal);
        Assert.Equal("page_owner info is not present (never set?)\n", m.PageOwner.DescribePage(new Pfn(20000)));
    }
}
