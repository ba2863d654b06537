using PageExt.Buddy;
using PageExt.Physical;

namespace PageExt.Tests.Metrics;

/// <summary>Real operations whose counts the metrics tests then expect to read back.</summary>
internal static unsafe class MetricsWorkload
{
    /// <summary>Allocate and free <paramref name="pairs"/> blocks of <paramref name="order"/>.</summary>
    public static void Pairs(Machine machine, int pairs, int order)
    {
        for (int i = 0; i < pairs; i++)
        {
            Assert.True(machine.TryAllocPages(GfpFlags.Kernel, order, out var pfn));
            machine.FreePages(pfn, order);
        }
    }

    /// <summary>Allocate from ZONE_DMA until it is exhausted, then fail <paramref name="failures"/> times; the blocks stay allocated. Returns the allocations made.</summary>
    public static int ExhaustDma(Machine machine, int failures)
    {
        int allocated = 0;
        while (machine.TryAllocPages(GfpFlags.Kernel | GfpFlags.Dma | GfpFlags.NoWarn, 0, out _))
        {
            allocated++;
        }

        for (int i = 1; i < failures; i++)
        {
            Assert.False(machine.TryAllocPages(GfpFlags.Kernel | GfpFlags.Dma | GfpFlags.NoWarn, 0, out _));
        }

        return allocated;
    }

    /// <summary>One double free: one bad-page report.</summary>
    public static void DoubleFree(Machine machine)
    {
        Assert.True(machine.TryAllocPages(GfpFlags.Kernel, 0, out var pfn));
        machine.FreePages(pfn, 0);
        machine.FreePages(pfn, 0);
    }

    /// <summary>
    /// With page_poison=1: write into a freed page, then allocate it again (the per-CPU list is
    /// LIFO, so the next order-0 allocation takes it back) so that the poison check finds it.
    /// </summary>
    public static void WriteAfterFree(Machine machine)
    {
        Assert.True(machine.TryAllocPages(GfpFlags.Kernel, 0, out var pfn));
        byte* page = (byte*)machine.PageAddress(pfn);
        machine.FreePages(pfn, 0);
        page[100] = 0x42;
        Assert.True(machine.TryAllocPages(GfpFlags.Kernel, 0, out var again));
        Assert.Equal(pfn, again);
        machine.FreePages(again, 0);
    }
}
