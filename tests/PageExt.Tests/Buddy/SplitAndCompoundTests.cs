using PageExt.Buddy;
using PageExt.Pages;

namespace PageExt.Tests.Buddy;

public class SplitAndCompoundTests
{
    [Fact]
    public void Split_page_makes_independent_order_0_pages()
    {
        using var m = TestMachines.Boot();
        Assert.True(m.TryAllocPages(GfpFlags.Kernel, 3, out var pfn));
        m.Allocator.SplitPage(pfn, 3);
        m.AssertConsistent();
        for (ulong i = 0; i < 8; i += 2)
        {
            m.FreePages(pfn + i, 0);
        }

        m.AssertConsistent();
        for (ulong i = 1; i < 8; i += 2)
        {
            m.FreePages(pfn + i, 0);
        }

        m.AssertConsistent();
    }

    [Fact]
    public void Compound_pages_carry_the_head_flag_and_refuse_split_page()
    {
        using var m = TestMachines.Boot();
        Assert.True(m.TryAllocPages(GfpFlags.Kernel | GfpFlags.Comp, 2, out var pfn));
        Assert.True(m.Allocator.GetPage(pfn).PageFlags.HasFlag(PageFlags.Head));
        var ex = Assert.Throws<InvalidOperationException>(() => m.Allocator.SplitPage(pfn, 2));
        Assert.Contains("compound", ex.Message, StringComparison.Ordinal);
        m.FreePages(pfn, 2);
        Assert.False(m.Allocator.GetPage(pfn).PageFlags.HasFlag(PageFlags.Head));
        m.AssertConsistent();
    }

    [Fact]
    public void Alloc_pages_exact_gives_back_the_unused_tail()
    {
        using var m = TestMachines.Boot();
        m.Allocator.DrainAllPages();
        long before = m.FreePagesTotal();
        Assert.True(m.Allocator.TryAllocPagesExact((5 * 4096) + 1, GfpFlags.Kernel, out var pfn, out int pages));
        Assert.Equal(6, pages);
        m.Allocator.DrainAllPages();
        Assert.Equal(before - 6, m.FreePagesTotal());
        m.Allocator.FreePagesExact(pfn, pages);
        m.Allocator.DrainAllPages();
        Assert.Equal(before, m.FreePagesTotal());
        m.AssertConsistent();
    }
}
