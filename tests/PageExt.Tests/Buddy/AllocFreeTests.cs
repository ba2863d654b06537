using PageExt.Buddy;
using PageExt.Pages;
using PageExt.Physical;
using PageExt.Zones;

namespace PageExt.Tests.Buddy;

public class AllocFreeTests
{
    [Fact]
    public void Page_descriptor_is_32_bytes()
    {
        Assert.Equal(Page.SizeBytes, System.Runtime.CompilerServices.Unsafe.SizeOf<Page>());
    }

    [Fact]
    public unsafe void Bookkeeping_bytes_follow_the_head_link_in_the_order_the_packed_accesses_assume()
    {
        var page = default(Page);
        byte* at = (byte*)&page;
        Assert.Equal(8, (byte*)&page.Next - at);
        Assert.Equal(12, (byte*)&page.Prev - at);
        Assert.Equal(16, (byte*)&page.RefCount - at);
        Assert.Equal(20, (byte*)&page.Private - at);
        Assert.Equal(24, (byte*)&page.HeadPfnPlusOne - at);
        Assert.Equal(28, (byte*)&page.Type - at);
        Assert.Equal(29, (byte*)&page.AllocOrder - at);
        Assert.Equal(30, (byte*)&page.MigrateType - at);
        Assert.Equal(31, (byte*)&page.State - at);
        Assert.True(BitConverter.IsLittleEndian);
        *(uint*)&page.Type = Page.PackBookkeeping(PageType.Buddy, 7, (byte)PageExt.Zones.MigrateType.Cma, PageState.InUse);
        Assert.Equal((PageType.Buddy, 7, (byte)PageExt.Zones.MigrateType.Cma, (byte)PageState.InUse), (page.PageType, (int)page.AllocOrder, page.MigrateType, page.State));
    }

    [Fact]
    public void Boot_puts_every_managed_page_in_the_free_lists()
    {
        using var m = TestMachines.Boot();
        m.AssertConsistent();
        long managed = m.Zones.Sum(z => z.ManagedPages);
        Assert.Equal((256L << 20 >> 12) - 1, managed); // PFN 0 is reserved
        Assert.Equal(managed, m.FreePagesTotal());
        Assert.Equal(2, m.PopulatedZones.Count()); // DMA and DMA32 below 4 GiB
    }

    [Fact]
    public void Pages_handed_out_are_real_writable_memory()
    {
        using var m = TestMachines.Boot();
        Assert.True(m.TryAllocPages(GfpFlags.Kernel, 2, out var pfn));
        var span = m.PageSpan(pfn, 2);
        Assert.Equal(16384, span.Length);
        span.Fill(0x5a);
        Assert.True(m.TryAllocPages(GfpFlags.Kernel | GfpFlags.Zero, 2, out var other));
        Assert.All(m.PageSpan(other, 2).ToArray(), b => Assert.Equal(0, b));
        Assert.Equal(0x5a, m.PageSpan(pfn, 2)[16383]);
        m.FreePages(pfn, 2);
        m.FreePages(other, 2);
        m.AssertConsistent();
    }

    [Fact]
    public void Address_and_pfn_translate_both_ways()
    {
        using var m = TestMachines.Boot();
        Assert.True(m.TryAllocPages(GfpFlags.Kernel, 0, out var pfn));
        nint address = m.PageAddress(pfn);
        Assert.True(m.Allocator.TryAddressToPfn(address + 100, out var back));
        Assert.Equal(pfn, back);
        Assert.False(m.Allocator.TryAddressToPfn(12345, out _));
        m.Allocator.FreePagesAt(address, 0);
        m.AssertConsistent();
    }

    [Fact]
    public void Direct_map_base_plus_the_shifted_pfn_is_the_page_address()
    {
        using var m = TestMachines.Boot();
        Assert.True(m.TryAllocPages(GfpFlags.Kernel, 3, out var pfn));
        Assert.Equal(m.PageAddress(pfn), m.Allocator.DirectMapBase + (nint)(pfn.Value << PageSize.Shift));
        m.FreePages(pfn, 3);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(9)]
    [InlineData(10)]
    public void Alloc_then_free_restores_the_free_count(int order)
    {
        using var m = TestMachines.Boot();
        m.Allocator.DrainAllPages();
        long before = m.FreePagesTotal();
        var pfns = new List<Pfn>();
        for (int i = 0; i < 20; i++)
        {
            Assert.True(m.TryAllocPages(GfpFlags.Kernel, order, out var pfn));
            Assert.Equal(0UL, pfn.Value & ((1UL << order) - 1));
            pfns.Add(pfn);
        }

        m.AssertConsistent();
        foreach (var pfn in pfns)
        {
            m.FreePages(pfn, order);
        }

        m.Allocator.DrainAllPages();
        m.AssertConsistent();
        Assert.Equal(before, m.FreePagesTotal());
    }

    [Fact]
    public void Dma_allocations_come_from_the_dma_zone()
    {
        using var m = TestMachines.Boot();
        Assert.True(m.TryAllocPages(GfpFlags.Kernel | GfpFlags.Dma, 0, out var pfn));
        Assert.Equal(ZoneType.Dma, m.Allocator.ZoneOf(pfn)!.Type);
        m.FreePages(pfn, 0);
        m.AssertConsistent();
    }

    [Fact]
    public void Exhaustion_is_a_return_value_and_warns_once_per_failure()
    {
        using var m = TestMachines.Boot(memoryBytes: 64L << 20);
        var got = new List<Pfn>();
        while (m.TryAllocPages(GfpFlags.Kernel, 4, out var pfn))
        {
            got.Add(pfn);
        }

        Assert.NotEmpty(got);
        Assert.Equal(1, m.Allocator.AllocationFailures);
        Assert.Contains(m.Log.Lines, l => l.Contains("page allocation failure: order:4, mode:0xcc0", StringComparison.Ordinal));
        Assert.False(m.TryAllocPages(GfpFlags.Kernel | GfpFlags.NoWarn, 4, out _));
        Assert.Single(m.Log.Lines, l => l.Contains("page allocation failure", StringComparison.Ordinal));
        m.AssertConsistent();
        foreach (var pfn in got)
        {
            m.FreePages(pfn, 4);
        }

        m.AssertConsistent();
    }

    [Fact]
    public void Atomic_allocations_may_dip_below_the_min_watermark()
    {
        using var m = TestMachines.Boot(memoryBytes: 64L << 20);
        while (m.TryAllocPages(GfpFlags.Kernel | GfpFlags.NoWarn, 0, out _))
        {
        }

        Assert.True(m.TryAllocPages(GfpFlags.Atomic, 0, out _));
        m.AssertConsistent();
    }
}
