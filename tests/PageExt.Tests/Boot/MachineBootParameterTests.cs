using PageExt.Boot;
using PageExt.Buddy;
using PageExt.Views;
using PageExt.Zones;

namespace PageExt.Tests.Boot;

/// <summary>The command line reaches the machine: bad values refuse the boot, good ones shape it.</summary>
public class MachineBootParameterTests
{
    [Fact]
    public void A_malformed_value_refuses_the_boot_naming_parameter_and_allowed_values()
    {
        var ex = Assert.Throws<BootParameterException>(() => TestMachines.Boot(cmdline: "debug_pagealloc=on debug_guardpage_minorder=banana"));
        var error = Assert.Single(ex.Errors);
        Assert.Equal("debug_guardpage_minorder", error.Name);
        Assert.Contains("banana", ex.Message, StringComparison.Ordinal);
        Assert.Contains("0..5", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_parameters_are_logged_and_ignored()
    {
        using var m = TestMachines.Boot(cmdline: "quiet splash page_owner=off");
        Assert.Contains(m.Log.Lines, l => l.Contains("Unknown kernel command line parameters", StringComparison.Ordinal) && l.Contains("splash", StringComparison.Ordinal));
        Assert.Equal("Kernel command line: quiet splash page_owner=off", m.Log.Lines[0]);
        Assert.False(m.Parameters.PageOwner);
    }

    [Fact]
    public void Movablecore_carves_a_movable_zone_that_only_movable_allocations_use()
    {
        using var m = TestMachines.Boot(memoryBytes: 6L << 30, cmdline: "movablecore=1G");
        var movable = m.Nodes[0].Zone(ZoneType.Movable);
        Assert.True(movable.IsPopulated);
        Assert.Equal(1L << 30 >> 12, movable.PresentPages);
        Assert.True(m.TryAllocPages(GfpFlags.Kernel, 0, out var kernel));
        Assert.NotEqual(ZoneType.Movable, m.Allocator.ZoneOf(kernel)!.Type);
        Assert.True(m.TryAllocPages(GfpFlags.HighUserMovable, 0, out var user));
        Assert.Equal(ZoneType.Movable, m.Allocator.ZoneOf(user)!.Type);
        m.AssertConsistent();
    }

    [Fact]
    public void Cma_reserves_pageblocks_that_movable_allocations_borrow()
    {
        using var m = TestMachines.Boot(memoryBytes: 256L << 20, cmdline: "cma=16M");
        Assert.True(m.HasCma);
        var snapshot = MemorySnapshot.Capture(m, showCma: true);
        var dma32 = snapshot.Zones.Single(z => z.ZoneName == "DMA32");
        Assert.Equal(8, dma32.PageblockCounts[(int)MigrateType.Cma]);
        Assert.Equal(4096, m.Zones.Sum(z => z.FreeCmaPages));
        Assert.Contains("CMA", PageTypeInfo.Render(snapshot), StringComparison.Ordinal);
        // Unmovable allocations never take CMA pages, even when everything else is gone.
        while (m.TryAllocPages(GfpFlags.Kernel | GfpFlags.NoWarn, 0, out _))
        {
        }

        Assert.Equal(4096, m.Zones.Sum(z => z.FreeCmaPages));
        Assert.True(m.TryAllocPages(GfpFlags.HighUserMovable, 0, out var movable));
        Assert.Equal(MigrateType.Cma, m.Allocator.PageblockMigrateType(movable));
        m.AssertConsistent();
    }

    [Fact]
    public void Mem_limits_the_memory_used()
    {
        using var m = TestMachines.Boot(memoryBytes: 1L << 30, cmdline: "mem=512M");
        Assert.Equal((512L << 20 >> 12) - 1, m.Zones.Sum(z => z.ManagedPages));
    }

    [Fact]
    public void Effective_settings_print_as_a_command_line()
    {
        using var m = TestMachines.Boot(cmdline: "page_poison=1 debug_guardpage_minorder=2");
        var settings = m.Parameters.ToCommandLine();
        Assert.Contains("page_poison=on", settings, StringComparison.Ordinal);
        Assert.Contains("debug_guardpage_minorder=2", settings, StringComparison.Ordinal);
    }
}
