using System.Globalization;

namespace PageExt.Analysis.Dmesg;

/// <summary>
/// Writes a report's page_owner data as the record /sys/kernel/debug/page_owner would have printed
/// for the page (print_page_owner()), so that sort, top, diff, report and export read a dmesg as they
/// read a dump. The record keeps the generation of the report: pid, tgid (comm), ts and free_ts appear
/// exactly when the report printed them.
/// </summary>
/// <remarks>
/// The debugfs record has no place for what only dump_page knows: the PFN line needs the pageblock's
/// number and type, which a report does not print, and the page's migratetype lives on that line;
/// nor is there a free stack. `pageext dmesg` lists those; the record carries the allocation
/// (order, gfp mask, task, times, stack and migrate reason).
/// </remarks>
internal static class OwnerRecordWriter
{
    public static void Write(TextWriter writer, OwnerReport report)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(report);
        var alloc = report.Alloc ?? throw new ArgumentException("the report has no page_owner allocation line", nameof(report));
        writer.Write(string.Create(CultureInfo.InvariantCulture, $"Page allocated via order {alloc.Order}, mask {alloc.GfpMask}"));
        if (alloc.Pid is { } pid)
        {
            writer.Write(string.Create(CultureInfo.InvariantCulture, $", pid {pid}"));
        }

        if (alloc.Tgid is { } tgid)
        {
            writer.Write(string.Create(CultureInfo.InvariantCulture, $", tgid {tgid} ({alloc.Comm})"));
        }

        if (alloc.Ts is { } ts)
        {
            writer.Write(string.Create(CultureInfo.InvariantCulture, $", ts {ts} ns"));
        }

        if (alloc.FreeTs is { } freeTs)
        {
            writer.Write(string.Create(CultureInfo.InvariantCulture, $", free_ts {freeTs} ns"));
        }

        writer.Write('\n');
        foreach (string frame in report.AllocStack)
        {
            writer.Write(' ');
            writer.Write(frame);
            writer.Write('\n');
        }

        if (report.MigrateReason is { } reason)
        {
            writer.Write("Page has been migrated, last migrate reason: ");
            writer.Write(reason);
            writer.Write('\n');
        }

        writer.Write('\n');
    }
}
