using System.Globalization;
using PageExt.Physical;
using PageExt.Zones;

namespace PageExt.Views;

/// <summary>
/// /proc/zoneinfo (mm/vmstat.c zoneinfo_show_print, as v6.18 prints it) for every zone of every
/// node, populated or not: free pages, the watermarks, the zone's sizes, lowmem_reserve, the zone
/// counters the model keeps, the per-CPU pagesets and start_pfn.
/// </summary>
/// <remarks>
/// What the model does not have is left out rather than printed as zeros that look measured: the
/// per-node LRU counters (the "per-node stats" block), the vm_stat counters other than
/// nr_free_pages and nr_free_cma, and "vm stats threshold". A pageset is a thread's cache
/// (design.md: per-CPU lists are per-thread caches), numbered in the order the threads first used
/// the machine; its high mark is fixed, so high_min and high_max equal it. "protection:" has one
/// entry per zone type the model has (DMA, DMA32, Normal, Movable; an x86-64 kernel adds Device).
/// promo is WMARK_PROMO as __setup_per_zone_wmarks derives it: min plus three times the gap
/// between the marks. Nothing reclaims, so node_unreclaimable is 0.
/// </remarks>
public static class ZoneInfo
{
    public static void Write(TextWriter output, Machine machine)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(machine);
        using var operation = machine.EnterOperation();
        foreach (var node in machine.Nodes)
        {
            foreach (var zone in node.Zones)
            {
                WriteZone(output, machine, zone);
            }
        }
    }

    public static string Render(Machine machine)
    {
        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        Write(writer, machine);
        return writer.ToString();
    }

    private static void WriteZone(TextWriter output, Machine machine, Zone zone)
    {
        var marks = zone.Watermarks;
        long promo = marks.Min + (3 * (marks.Low - marks.Min));
        output.Write(Invariant($"Node {zone.Node}, zone {zone.Name,8}"));
        output.Write(Invariant($"\n  pages free     {zone.FreePages}"));
        output.Write(Invariant($"\n        boost    {0}"));
        output.Write(Invariant($"\n        min      {marks.Min}"));
        output.Write(Invariant($"\n        low      {marks.Low}"));
        output.Write(Invariant($"\n        high     {marks.High}"));
        output.Write(Invariant($"\n        promo    {promo}"));
        output.Write(Invariant($"\n        spanned  {zone.SpannedPages}"));
        output.Write(Invariant($"\n        present  {zone.PresentPages}"));
        output.Write(Invariant($"\n        managed  {zone.ManagedPages}"));
        output.Write(Invariant($"\n        cma      {CmaPages(machine, zone)}"));
        output.Write(Invariant($"\n        protection: ({zone.LowmemReserve[0]}"));
        for (int i = 1; i < zone.LowmemReserve.Length; i++)
        {
            output.Write(Invariant($", {zone.LowmemReserve[i]}"));
        }

        output.Write(')');
        if (!zone.IsPopulated)
        {
            output.Write('\n');
            return;
        }

        Counter(output, "nr_free_pages", zone.FreePages);
        Counter(output, "nr_free_cma", zone.FreeCmaPages);
        output.Write("\n  pagesets");
        var sets = machine.Allocator.PageSets(zone);
        for (int cpu = 0; cpu < sets.Count; cpu++)
        {
            var (count, high, batch) = sets[cpu];
            output.Write(Invariant($"\n    cpu: {cpu}"));
            output.Write(Invariant($"\n              count:    {count}"));
            output.Write(Invariant($"\n              high:     {high}"));
            output.Write(Invariant($"\n              batch:    {batch}"));
            output.Write(Invariant($"\n              high_min: {high}"));
            output.Write(Invariant($"\n              high_max: {high}"));
        }

        output.Write(Invariant($"\n  node_unreclaimable:  {0}"));
        output.Write(Invariant($"\n  start_pfn:           {zone.StartPfn.Value}"));
        output.Write('\n');
    }

    /// <summary>"\n      %-12s %lu": a zone counter.</summary>
    private static void Counter(TextWriter output, string name, long value) => output.Write(Invariant($"\n      {name,-12} {value}"));

    /// <summary>zone_cma_pages(): the zone's pages in MIGRATE_CMA pageblocks.</summary>
    private static long CmaPages(Machine machine, Zone zone)
    {
        if (!machine.HasCma || !zone.IsPopulated)
        {
            return 0;
        }

        long pages = 0;
        for (ulong pfn = zone.StartPfn.Value; pfn < zone.EndPfn.Value; pfn += Pageblock.Pages)
        {
            var p = new Pfn(pfn);
            if (machine.Allocator.ZoneOf(p) == zone && machine.Allocator.PageblockMigrateType(p) == MigrateType.Cma)
            {
                pages += Pageblock.Pages;
            }
        }

        return pages;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
