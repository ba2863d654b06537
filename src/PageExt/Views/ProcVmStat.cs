using System.Globalization;
using PageExt.VmStat;

namespace PageExt.Views;

/// <summary>
/// /proc/vmstat (mm/vmstat.c vmstat_show): one "name value" line per counter, in the kernel's
/// order, for the counters a buddy allocator without reclaim has: the zone stats nr_free_pages
/// and nr_free_cma, then the vm events pgalloc_&lt;zone&gt; (every zone type x86-64 configures)
/// and pgfree. PageExt's own counters follow under a <c>pageext_</c> prefix, so that no reader
/// takes them for the kernel's.
/// </summary>
public static class ProcVmStat
{
    public static void Write(TextWriter output, Machine machine)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(machine);
        long free = 0, freeCma = 0;
        foreach (var zone in machine.Zones)
        {
            free += zone.FreePages;
            freeCma += zone.FreeCmaPages;
        }

        Write(output, free, freeCma, machine.Allocator.VmEvents);
    }

    public static void Write(TextWriter output, long freePages, long freeCmaPages, VmEvents events)
    {
        ArgumentNullException.ThrowIfNull(output);
        Line(output, "nr_free_pages", freePages);
        Line(output, "nr_free_cma", freeCmaPages);
        Line(output, "pgalloc_dma", events.PgAllocDma);
        Line(output, "pgalloc_dma32", events.PgAllocDma32);
        Line(output, "pgalloc_normal", events.PgAllocNormal);
        Line(output, "pgalloc_movable", events.PgAllocMovable);
        Line(output, "pgfree", events.PgFree);
        Line(output, "pageext_alloc_calls", events.AllocCalls);
        Line(output, "pageext_free_calls", events.FreeCalls);
        Line(output, "pageext_alloc_fail", events.AllocFailures);
    }

    public static string Render(Machine machine)
    {
        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        Write(writer, machine);
        return writer.ToString();
    }

    private static void Line(TextWriter output, string name, long value)
    {
        output.Write(name);
        output.Write(' ');
        output.Write(value.ToString(CultureInfo.InvariantCulture));
        output.Write('\n');
    }
}
