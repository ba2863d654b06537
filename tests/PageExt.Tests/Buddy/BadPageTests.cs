using PageExt.Buddy;
using PageExt.Physical;

namespace PageExt.Tests.Buddy;

/// <summary>Every kind of misuse is reported with a specific reason and leaves the allocator consistent.</summary>
public class BadPageTests
{
    [Fact]
    public void Double_free_is_reported_and_changes_nothing()
    {
        using var m = TestMachines.Boot();
        var reports = m.CaptureBadPages();
        Assert.True(m.TryAllocPages(GfpFlags.Kernel, 0, out var pfn));
        m.FreePages(pfn, 0);
        long free = m.FreePagesTotal();
        m.FreePages(pfn, 0);
        var report = Assert.Single(reports);
        Assert.Equal(BadPageReason.DoubleFree, report.Reason);
        Assert.Equal(pfn, report.Pfn);
        Assert.Equal(free, m.FreePagesTotal());
        Assert.Contains(m.Log.Lines, l => l.StartsWith("BUG: Bad page state in process ", StringComparison.Ordinal));
        Assert.Contains(m.Log.Lines, l => l == "page dumped because: double free: page is already free (on a per-CPU free list)");
        m.AssertConsistent();
    }

    [Fact]
    public void Double_free_after_merge_into_a_larger_block_is_reported()
    {
        using var m = TestMachines.Boot();
        var reports = m.CaptureBadPages();
        Assert.True(m.TryAllocPages(GfpFlags.Kernel, 5, out var pfn));
        m.FreePages(pfn, 5);
        m.FreePages(pfn, 5);
        Assert.Equal(BadPageReason.DoubleFree, Assert.Single(reports).Reason);
        m.AssertConsistent();
    }

    [Fact]
    public void Free_of_a_page_never_allocated_is_reported()
    {
        using var m = TestMachines.Boot();
        var reports = m.CaptureBadPages();
        m.FreePages(new Pfn(12345), 0);
        Assert.Equal(BadPageReason.NeverAllocated, Assert.Single(reports).Reason);
        m.AssertConsistent();
    }

    [Fact]
    public void Free_of_a_tail_page_names_the_head_and_keeps_the_block_allocated()
    {
        using var m = TestMachines.Boot();
        var reports = m.CaptureBadPages();
        Assert.True(m.TryAllocPages(GfpFlags.Kernel, 3, out var pfn));
        m.FreePages(pfn + 2, 0);
        var report = Assert.Single(reports);
        Assert.Equal(BadPageReason.TailPage, report.Reason);
        Assert.Contains($"order-3 block allocated at pfn {pfn}", report.Message, StringComparison.Ordinal);
        m.AssertConsistent();
        m.FreePages(pfn, 3);
        Assert.Single(reports);
        m.AssertConsistent();
    }

    [Fact]
    public void Wrong_order_takes_the_block_out_of_circulation()
    {
        using var m = TestMachines.Boot();
        var reports = m.CaptureBadPages();
        Assert.True(m.TryAllocPages(GfpFlags.Kernel, 2, out var pfn));
        m.FreePages(pfn, 1);
        Assert.Equal(BadPageReason.WrongOrder, Assert.Single(reports).Reason);
        Assert.Equal(4, m.Zones.Sum(z => z.BadPages));
        m.AssertConsistent();
        m.FreePages(pfn, 2);
        Assert.Equal(BadPageReason.AlreadyBad, reports[1].Reason);
        m.AssertConsistent();
    }

    [Fact]
    public void Pfn_or_address_outside_the_machine_is_reported()
    {
        using var m = TestMachines.Boot();
        var reports = m.CaptureBadPages();
        m.FreePages(new Pfn(1UL << 40), 0);
        m.Allocator.FreePagesAt(0x1000, 0);
        m.FreePages(new Pfn(1), 11);
        Assert.All(reports, r => Assert.Equal(BadPageReason.OutOfRange, r.Reason));
        Assert.Equal(3, reports.Count);
        Assert.Throws<ArgumentOutOfRangeException>(() => m.PageSpan(new Pfn(1UL << 40)));
        Assert.Throws<ArgumentOutOfRangeException>(() => m.TryAllocPages(GfpFlags.Kernel, 11, out _));
        m.AssertConsistent();
    }

    [Fact]
    public void Free_of_the_reserved_first_page_is_reported()
    {
        using var m = TestMachines.Boot();
        var reports = m.CaptureBadPages();
        m.FreePages(new Pfn(0), 0);
        Assert.Equal(BadPageReason.Reserved, Assert.Single(reports).Reason);
        m.AssertConsistent();
    }

    [Fact]
    public void Contradictory_gfp_masks_are_rejected()
    {
        using var m = TestMachines.Boot();
        Assert.Throws<ArgumentException>(() => m.TryAllocPages(GfpFlags.Dma | GfpFlags.Dma32, 0, out _));
        Assert.Throws<ArgumentException>(() => m.TryAllocPages(GfpFlags.Kernel | GfpFlags.Movable | GfpFlags.Reclaimable, 0, out _));
    }
}
