using PageExt.Buddy;
using PageExt.Physical;
using PageExt.Zones;

namespace PageExt.Tests.Physical;

[Collection(ProcessWideCollection.Name)]
public class MachineLayoutTests
{
    [Fact]
    public void Zones_follow_the_x86_64_layout()
    {
        using var m = TestMachines.Boot(memoryBytes: 6L << 30);
        var node = m.Nodes[0];
        Assert.Equal(new Pfn(0), node.Zone(ZoneType.Dma).StartPfn);
        Assert.Equal(ZoneTypes.DmaEndPfn, node.Zone(ZoneType.Dma).EndPfn.Value);
        Assert.Equal(ZoneTypes.Dma32EndPfn, node.Zone(ZoneType.Dma32).EndPfn.Value);
        Assert.Equal((6UL << 30) >> 12, node.Zone(ZoneType.Normal).EndPfn.Value);
        Assert.False(node.Zone(ZoneType.Movable).IsPopulated);
        Assert.Contains("  DMA      [mem 0x0000000000001000-0x0000000000ffffff]", m.Log.Lines);
        Assert.Contains("  Normal   [mem 0x0000000100000000-0x000000017fffffff]", m.Log.Lines);
        Assert.All(m.PopulatedZones, z => Assert.True(z.Watermarks.Min > 0 && z.Watermarks.Low > z.Watermarks.Min && z.Watermarks.High > z.Watermarks.Low));
        m.AssertConsistent();
    }

    [Fact]
    public void Two_nodes_split_memory_and_each_serves_its_own_allocations()
    {
        using var m = TestMachines.Boot(memoryBytes: 1L << 30, nodes: 2);
        Assert.Equal(2, m.Nodes.Count);
        Assert.True(m.Allocator.TryAllocPagesNode(1, GfpFlags.Kernel, 0, out var onNode1));
        Assert.Equal(1, m.Allocator.ZoneOf(onNode1)!.Node);
        Assert.True(m.Allocator.TryAllocPagesNode(0, GfpFlags.Kernel, 0, out var onNode0));
        Assert.Equal(0, m.Allocator.ZoneOf(onNode0)!.Node);
        Assert.Throws<ArgumentOutOfRangeException>(() => m.Allocator.TryAllocPagesNode(2, GfpFlags.Kernel, 0, out _));
        m.FreePages(onNode1, 0);
        m.FreePages(onNode0, 0);
        m.AssertConsistent();
    }

    [Fact]
    public void Holes_are_not_memory()
    {
        var description = new MachineDescription
        {
            MemoryBytes = 512L << 20,
            Holes = [new MemoryRange(128L << 20, 128L << 20), new MemoryRange(300L << 20, 4L << 20)],
        };
        using var m = Machine.Boot(description);
        Assert.Null(m.Memory.Section(1));
        long expected = ((512L - 128 - 4) << 20 >> 12) - 1;
        Assert.Equal(expected, m.Zones.Sum(z => z.ManagedPages));
        Assert.Equal(expected, m.FreePagesTotal());
        m.AssertConsistent();
    }

    [Theory]
    [InlineData(1L << 20, 1, 0)]
    [InlineData((64L << 20) + 4096, 1, 0)]
    [InlineData(256L << 20, 3, 0)]
    [InlineData(256L << 20, 1, 1L << 20)]
    public void Bad_descriptions_are_refused_with_a_reason(long memory, int nodes, long hotplug)
    {
        var ex = Assert.ThrowsAny<ArgumentException>(() => Machine.Boot(new MachineDescription { MemoryBytes = memory, Nodes = nodes, HotplugBytes = hotplug }));
        Assert.False(string.IsNullOrWhiteSpace(ex.Message));
    }

    [Fact]
    public void A_64_GiB_machine_costs_only_what_is_touched()
    {
        long before = ResidentBytes();
        using var m = TestMachines.Boot(memoryBytes: 64L << 30);
        long grown = ResidentBytes() - before;
        Assert.Equal((64L << 30 >> 12) - 1, m.FreePagesTotal());
        // Only the heads of free blocks are written: far below the 512 MiB a full memory map would take.
        Assert.True(grown < (160L << 20), $"booting 64 GiB made the process grow by {grown >> 20} MiB");
        Assert.True(m.TryAllocPages(GfpFlags.Kernel, 10, out var pfn));
        m.PageSpan(pfn, 10).Fill(1);
        m.FreePages(pfn, 10);
    }

    [Fact]
    public void Hot_path_allocates_nothing_on_the_managed_heap()
    {
        using var m = TestMachines.Boot();
        var a = m.Allocator;
        for (int i = 0; i < 1000; i++)
        {
            a.TryAllocPages(GfpFlags.Kernel, i % 4, out var warm);
            a.FreePages(warm, i % 4);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100_000; i++)
        {
            a.TryAllocPages(GfpFlags.Kernel, i % 4, out var pfn);
            a.FreePages(pfn, i % 4);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private static long ResidentBytes()
    {
        if (!OperatingSystem.IsLinux())
        {
            return Environment.WorkingSet;
        }

        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
    }
}
