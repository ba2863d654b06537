using PageExt.Buddy;
using PageExt.DebugPageAlloc;
using PageExt.PageExtension;
using PageExt.Pages;
using PageExt.Physical;

namespace PageExt.Tests.DebugPageAlloc;

public sealed unsafe class GuardPageTests
{
    [Fact]
    public void SplitOffBuddyBelowMinOrderBecomesAFlaggedProtectedGuardAndReturnsOnFree()
    {
        using var machine = DebugPageAllocMachines.Boot(new DebugPageAllocSettings { DebugPagealloc = true, GuardPageMinOrder = 5 }, out var feature);
        Assert.Equal(5, feature.GuardPageMinOrder);
        var zone = machine.PopulatedZones.Last();
        Assert.Equal(0, zone.FreeBlocks(4));
        long freeBefore = machine.FreePagesTotal();

        // Order 4 bypasses the per-CPU lists; the smallest free block is larger, so expand()
        // splits it and the order-4 buddy of the allocation is below minorder 5: a guard.
        Assert.True(machine.TryAllocPages(GfpFlags.Kernel, 4, out var pfn));
        var guard = pfn + 16;
        Assert.Equal(zone, machine.Allocator.ZoneOf(pfn));
        Assert.Equal(16, zone.GuardPages);
        Assert.Equal(freeBefore - 16 - 16, machine.FreePagesTotal());
        Assert.Equal(PageType.Guard, machine.Allocator.GetPage(guard).PageType);
        Assert.Equal(4u, machine.Allocator.GetPage(guard).Private);
        Assert.True(HasGuardFlag(machine, guard));
        Assert.Equal("---p", DebugPageAllocMachines.ProtectionOf(machine.PageAddress(guard)));
        Assert.Equal("---p", DebugPageAllocMachines.ProtectionOf(machine.PageAddress(guard + 15)));
        Assert.Equal("rw-p", DebugPageAllocMachines.ProtectionOf(machine.PageAddress(pfn + 15)));
        machine.AssertAllConsistent(feature);

        // Freeing the allocation merges the guard back: both are free again.
        machine.FreePages(pfn, 4);
        Assert.Equal(0, zone.GuardPages);
        Assert.Equal(freeBefore, machine.FreePagesTotal());
        Assert.False(HasGuardFlag(machine, guard));
        machine.AssertAllConsistent(feature);
    }

    [Fact]
    public void GuardPagesReduceFreeCountsByWhatTheyHoldAndAllReturnOnFree()
    {
        using var machine = DebugPageAllocMachines.Boot(new DebugPageAllocSettings { DebugPagealloc = true, GuardPageMinOrder = 1 }, out var feature);
        long freeBefore = machine.FreePagesTotal();
        var live = new List<(Pfn, int)>();
        for (int i = 0; i < 300; i++)
        {
            int order = i % 3;
            Assert.True(machine.TryAllocPages(GfpFlags.Kernel, order, out var pfn));
            live.Add((pfn, order));
        }

        long allocated = live.Sum(l => 1L << l.Item2);
        long guards = machine.Zones.Sum(z => z.GuardPages);
        long cached = machine.Allocator.CachedPages;
        Assert.True(guards > 0);
        Assert.Equal(freeBefore - allocated - cached - guards, machine.FreePagesTotal());

        // minorder 1: only order-0 buddies become guards, each flagged on its head.
        int seen = 0;
        foreach (var zone in machine.PopulatedZones)
        {
            for (ulong p = zone.StartPfn.Value; p < zone.EndPfn.Value; p++)
            {
                var page = machine.Allocator.GetPage(new Pfn(p));
                if (page.PageType == PageType.Guard)
                {
                    Assert.Equal(0u, page.Private);
                    Assert.True(HasGuardFlag(machine, new Pfn(p)));
                    seen++;
                }
            }
        }

        Assert.Equal(guards, seen);
        machine.AssertAllConsistent(feature);

        foreach (var (pfn, order) in live)
        {
            machine.FreePages(pfn, order);
        }

        machine.Allocator.DrainAllPages();
        Assert.Equal(0, machine.Zones.Sum(z => z.GuardPages));
        Assert.Equal(freeBefore, machine.FreePagesTotal());
        machine.AssertAllConsistent(feature);
    }

    [Fact]
    public void MinOrderTakesEffectOnlyWithDebugPagealloc()
    {
        using var machine = DebugPageAllocMachines.Boot(new DebugPageAllocSettings { GuardPageMinOrder = 3, PagePoison = true }, out var feature);
        Assert.Equal(0, feature.GuardPageMinOrder);
        Assert.Equal(0, machine.Allocator.GuardMinOrder);
        for (int i = 0; i < 100; i++)
        {
            Assert.True(machine.TryAllocPages(GfpFlags.Kernel, i % 4, out _));
        }

        Assert.Equal(0, machine.Zones.Sum(z => z.GuardPages));
        machine.AssertAllConsistent(feature);
    }

    [Fact]
    public void MinOrderIsLimitedToHalfTheMaxOrder()
    {
        Assert.Equal(5, DebugPageAllocSettings.MaxGuardPageMinOrder);
        Assert.Equal(5, new DebugPageAllocSettings { GuardPageMinOrder = 5 }.GuardPageMinOrder);
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new DebugPageAllocSettings { GuardPageMinOrder = 6 });
        Assert.Contains("Bad debug_guardpage_minorder value", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => new DebugPageAllocSettings { GuardPageMinOrder = -1 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new DebugPageAllocSettings { MaxProtectedRanges = DebugPageAllocSettings.MaxProtectedRangesLimit + 1 });
    }

    /// <summary>
    /// Offlining takes guard blocks away through the allocator's one clear_page_guard(), so
    /// debug_pagealloc drops PAGE_EXT_DEBUG_GUARD; memory hotplug used to clear the page's type on
    /// its own and leave the flag behind. A guard is only ever left with free pages around it for
    /// an instant, so the allocator's offline step is called on the guard's range directly.
    /// </summary>
    [Fact]
    public void Offlining_a_guard_block_clears_its_debug_guard_flag()
    {
        using var machine = DebugPageAllocMachines.Boot(new DebugPageAllocSettings { DebugPagealloc = true, GuardPageMinOrder = 5 }, out _);
        Assert.True(machine.TryAllocPages(GfpFlags.Kernel, 4, out var pfn));
        var guard = pfn + 16;
        var zone = machine.Allocator.ZoneOf(guard)!;
        Assert.True(HasGuardFlag(machine, guard));

        lock (zone.Lock)
        {
            machine.Allocator.OfflineIsolatedPagesLocked(zone, guard.Value, guard.Value + 16);
        }

        Assert.Equal(PageType.None, machine.Allocator.GetPage(guard).PageType);
        Assert.Equal(0, zone.GuardPages);
        Assert.False(HasGuardFlag(machine, guard));
    }

    private static bool HasGuardFlag(Machine machine, Pfn pfn)
    {
        byte* entry = machine.PageExt.Lookup(pfn.Value);
        return entry != null && (PageExtensions.FlagsOf(entry) & (ulong)PageExtFlags.DebugGuard) != 0;
    }
}
