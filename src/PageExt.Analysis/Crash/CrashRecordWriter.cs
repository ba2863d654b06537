using System.Globalization;
using System.Text;
using PageExt.Analysis.Text;

namespace PageExt.Analysis.Crash;

/// <summary>
/// Writes the plugin's ALLOC records as the records /sys/kernel/debug/page_owner prints, so sort,
/// top, diff, report, export and query read a crash session as they read a dump.
/// </summary>
/// <remarks>
/// <para>In page_owner's model a page has one record: who allocated it (handle, pid, comm, ts) and
/// who freed it last (free_handle, free_pid, free_ts), both kept in its struct page_owner. The
/// debugfs file lists allocated pages only, with their allocation. So an ALLOC record becomes a
/// record, its order from the page count and its ts from the uptime; a FREE record of the same
/// page gives that record its free_ts (the page's previous life, as in the kernel); a FREE record
/// of a page with no ALLOC record in the input is a page that is free now, which no dump lists.
/// Those are counted in one note. Per-stack totals (`-t`) in the same input sum the same pages, so
/// they are named in a note and not added.</para>
/// <para>The plugin prints no gfp mask, tgid or pageblock: the record's mask is the empty
/// <c>0x0()</c> of a page whose mask page_owner does not know, its task is "pid P (comm)" as
/// before v5.13, and there is no PFN line (as in records rebuilt from a kernel log).</para>
/// </remarks>
internal static class CrashRecordWriter
{
    public static void Write(TextWriter writer, CrashPageOwnerLog log, TextDiagnostics diagnostics)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(log);
        ArgumentNullException.ThrowIfNull(diagnostics);
        var allocated = log.Allocations.Select(p => p.Pfn).ToHashSet();
        var lastFree = new Dictionary<ulong, long>();
        var freeOnly = new List<CrashPageRecord>();
        foreach (var page in log.Pages.Where(p => p.IsFree))
        {
            lastFree[page.Pfn] = page.TimestampNs;
            if (!allocated.Contains(page.Pfn))
            {
                freeOnly.Add(page);
            }
        }

        if (freeOnly.Count > 0)
        {
            diagnostics.Add(freeOnly[0].Line, TextSeverity.Note, string.Create(CultureInfo.InvariantCulture,
                $"{freeOnly.Count} FREE record{(freeOnly.Count == 1 ? "" : "s")} (from line {freeOnly[0].Line}) of page{(freeOnly.Count == 1 ? "" : "s")} with no ALLOC record: a page's last free, which a page_owner dump does not list; not counted"));
        }

        if (log.Stacks.Count > 0)
        {
            diagnostics.Add(log.Stacks[0].Line, TextSeverity.Note, string.Create(CultureInfo.InvariantCulture,
                $"{log.Stacks.Count} per-stack total{(log.Stacks.Count == 1 ? "" : "s")} (pageowner -t) not added: the ALLOC records count the pages themselves"));
        }

        foreach (var page in log.Allocations)
        {
            writer.Write(string.Create(CultureInfo.InvariantCulture, $"Page allocated via order {page.Order}, mask 0x0(), pid {page.Pid}"));
            if (page.Comm is { } comm)
            {
                writer.Write(" (");
                writer.Write(comm);
                writer.Write(')');
            }

            writer.Write(string.Create(CultureInfo.InvariantCulture, $", ts {page.TimestampNs} ns"));
            if (lastFree.TryGetValue(page.Pfn, out long freeTs))
            {
                writer.Write(string.Create(CultureInfo.InvariantCulture, $", free_ts {freeTs} ns"));
            }

            writer.Write('\n');
            foreach (string frame in page.Frames)
            {
                writer.Write(' ');
                writer.Write(frame);
                writer.Write('\n');
            }

            writer.Write('\n');
        }
    }

    /// <summary>The records as a dump stream, held in memory (a crash transcript's records are what one person pasted).</summary>
    public static Stream Records(CrashPageOwnerLog log, TextDiagnostics diagnostics)
    {
        var buffer = new MemoryStream();
        using (var writer = new StreamWriter(buffer, new UTF8Encoding(false), 1 << 12, leaveOpen: true) { NewLine = "\n" })
        {
            Write(writer, log, diagnostics);
        }

        buffer.Position = 0;
        return buffer;
    }
}
