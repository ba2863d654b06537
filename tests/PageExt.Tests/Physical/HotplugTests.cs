using PageExt.Buddy;
using PageExt.Physical;
using PageExt.Zones;

namespace PageExt.Tests.Physical;

public class HotplugTests
{
    [Fact]
    public void Added_and_onlined_sections_serve_allocations()
    {
        using var m = TestMachines.Boot(memoryBytes: 256L << 20, hotplugBytes: 512L << 20);
        long before = m.Zones.Sum(z => z.ManagedPages);
        m.Hotplug.AddMemory(2, 2);
        Assert.True(m.Hotplug.TryOnline(2, 2, out var error, ZoneType.Movable), error);
        Assert.Equal(before + (2 * MemorySection.Pages), m.Zones.Sum(z => z.ManagedPages));
        m.AssertConsistent();
        Assert.True(m.TryAllocPages(GfpFlags.HighUserMovable, 0, out var pfn));
        Assert.Equal(ZoneType.Movable, m.Allocator.ZoneOf(pfn)!.Type);
        m.FreePages(pfn, 0);
        m.AssertConsistent();
    }

    [Fact]
    public void Offline_fails_cleanly_while_a_page_is_in_use_and_succeeds_after_free()
    {
        using var m = TestMachines.Boot(memoryBytes: 256L << 20, hotplugBytes: 256L << 20);
        m.Hotplug.AddMemory(2, 1);
        Assert.True(m.Hotplug.TryOnline(2, 1, out _, ZoneType.Movable));
        Assert.True(m.TryAllocPages(GfpFlags.HighUserMovable, 3, out var pfn));
        Assert.Equal(2, (int)(pfn.Value >> MemorySection.PagesShift));
        m.PageSpan(pfn, 3).Fill(7);

        Assert.False(m.Hotplug.TryOffline(2, 1, out var error));
        Assert.Contains($"pfn {pfn} is allocated (order 3)", error, StringComparison.Ordinal);
        m.AssertConsistent();
        Assert.Equal(7, m.PageSpan(pfn, 3)[100]);
        Assert.True(m.TryAllocPages(GfpFlags.HighUserMovable, 0, out var again));
        m.FreePages(again, 0);

        m.FreePages(pfn, 3);
        Assert.True(m.Hotplug.TryOffline(2, 1, out error), error);
        m.AssertConsistent();
        Assert.Equal(SectionState.Offline, m.Memory.Section(2)!.State);
        m.Hotplug.RemoveMemory(2, 1);
        Assert.Null(m.Memory.Section(2));
        m.AssertConsistent();
    }

    [Fact]
    public void Boot_memory_can_be_offlined_when_free()
    {
        using var m = TestMachines.Boot(memoryBytes: 512L << 20);
        long managed = m.Zones.Sum(z => z.ManagedPages);
        Assert.True(m.Hotplug.TryOffline(3, 1, out var error), error);
        Assert.Equal(managed - MemorySection.Pages, m.Zones.Sum(z => z.ManagedPages));
        m.AssertConsistent();
        Assert.True(m.Hotplug.TryOnline(3, 1, out error), error);
        m.AssertConsistent();
    }

    [Fact]
    public void Hotplug_errors_are_specific()
    {
        using var m = TestMachines.Boot(memoryBytes: 256L << 20, hotplugBytes: 256L << 20);
        Assert.Throws<ArgumentOutOfRangeException>(() => m.Hotplug.AddMemory(9, 1));
        Assert.False(m.Hotplug.TryOnline(2, 1, out var error));
        Assert.Equal("memory section 2 is not present", error);
        Assert.False(m.Hotplug.TryOnline(0, 1, out error));
        Assert.Equal("memory section 0 is already online", error);
        Assert.Throws<InvalidOperationException>(() => m.Hotplug.AddMemory(1, 1));
        Assert.Throws<InvalidOperationException>(() => m.Hotplug.RemoveMemory(0, 1));
    }
}
