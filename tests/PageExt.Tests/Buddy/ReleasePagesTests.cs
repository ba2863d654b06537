using PageExt.Buddy;
using PageExt.Physical;

namespace PageExt.Tests.Buddy;

/// <summary>release_pages(): a batch free, each block with the order it was allocated with.</summary>
public sealed class ReleasePagesTests
{
    [Fact]
    public void Release_pages_frees_every_block_of_the_batch_with_its_own_order()
    {
        using var m = TestMachines.Boot();
        m.Allocator.DrainAllPages();
        long free = m.FreePagesTotal();
        var blocks = new List<Pfn>();
        foreach (int order in new[] { 0, 1, 3, 4, 9 })
        {
            Assert.True(m.TryAllocPages(GfpFlags.HighUserMovable | (order > 0 ? GfpFlags.Comp : 0), order, out var pfn));
            blocks.Add(pfn);
        }

        m.ReleasePages(blocks.ToArray());

        m.Allocator.DrainAllPages();
        Assert.Equal(free, m.FreePagesTotal());
        Assert.Equal(0, m.Allocator.BadPageCount);
        m.AssertConsistent();
    }

    [Fact]
    public void A_bad_block_in_a_batch_is_reported_and_the_rest_of_the_batch_is_freed()
    {
        using var m = TestMachines.Boot();
        var reports = new List<BadPageReport>();
        m.Allocator.BadPage += reports.Add;
        Assert.True(m.TryAllocPages(GfpFlags.Kernel, 0, out var first));
        Assert.True(m.TryAllocPages(GfpFlags.Kernel, 2, out var tailOwner));
        Assert.True(m.TryAllocPages(GfpFlags.Kernel, 0, out var last));

        m.ReleasePages([first, tailOwner + 1, new Pfn(m.Memory.MaxPfn + 5), last, first]);

        Assert.Equal([BadPageReason.TailPage, BadPageReason.OutOfRange, BadPageReason.DoubleFree], reports.Select(r => r.Reason));
        Assert.Equal(0, m.Allocator.GetPage(first).RefCount);
        Assert.Equal(0, m.Allocator.GetPage(last).RefCount);
        Assert.Equal(1, m.Allocator.GetPage(tailOwner).RefCount);
        m.AssertConsistent();
    }

    [Fact]
    public void Release_pages_on_a_disposed_machine_is_refused_with_ObjectDisposedException()
    {
        var m = TestMachines.Boot();
        Assert.True(m.TryAllocPages(GfpFlags.Kernel, 0, out var pfn));
        var allocator = m.Allocator;
        m.Dispose();
        Assert.Throws<ObjectDisposedException>(() => allocator.ReleasePages([pfn]));
    }
}
