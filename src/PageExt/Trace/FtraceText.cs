using System.Globalization;
using System.Text;
using PageExt.Buddy;
using PageExt.Stacks;
using PageExt.Zones;

namespace PageExt.Trace;

/// <summary>
/// The trace as /sys/kernel/tracing/trace prints it with the nop tracer and the default options
/// (v5.15 and later): the header, then one line per entry, the per-CPU buffers merged by timestamp.
/// <code>
///            comm-pid     [cpu] ..... sssss.uuuuuu: mm_page_alloc: page=%p pfn=0x%lx order=%d migratetype=%d gfp_flags=%s
///            comm-pid     [cpu] ..... sssss.uuuuuu: mm_page_free: page=%p pfn=0x%lx order=%d
///            comm-pid     [cpu] ..... sssss.uuuuuu: &lt;stack trace&gt;
///  => frame
/// </code>
/// Ordering: ftrace guarantees order within one CPU's buffer, and reading `trace` merges the
/// buffers by timestamp; so does this. The clock is one monotonic clock for every thread, so an
/// event that happened before another (a page allocated on one thread and freed on another) is
/// printed before it; equal timestamps keep CPU order.
/// </summary>
/// <remarks>
/// What ftrace prints and PageExt fills in: comm and pid are the thread's (<c>CurrentTask</c>) when
/// it first traced; the flags column is <c>.....</c> (no irqs off, no preemption in user space);
/// each event's text is <see cref="KmemEventText"/>'s; mm_page_alloc's migratetype is
/// gfp_migratetype() of the mask; frames are page_owner's canonical stack,
/// <c>Type.Method+0xIL/0xsize</c>, the sym-offset form.
/// A CPU whose oldest events were overwritten starts with <c>##### CPU N buffer started ####</c>.
/// </remarks>
internal static class FtraceText
{
    /// <summary>The irq-info flags of every PageExt event: 5 columns since v5.15.</summary>
    public const string Flags = ".....";

    private const int FlushChars = 1 << 16;

    /// <summary>The width of record-tgid's "(%7d) " column.</summary>
    private const int TgidColumnWidth = 10;

    public static long Write(TextWriter output, KmemTrace trace)
    {
        var buffers = trace.Buffers;
        long inBuffer = 0;
        long written = 0;
        foreach (var buffer in buffers)
        {
            written += buffer.EntriesWritten;
            for (int i = 0; i < buffer.Count; i++)
            {
                inBuffer += buffer.Get(i).StackHandle != 0 ? 2 : 1;
            }
        }

        var text = new StringBuilder(FlushChars + 4096);
        AppendHeader(text, inBuffer, written, buffers.Count, trace.RecordTgid);
        var gfpNames = new Dictionary<uint, string>();
        var stacks = new Dictionary<uint, string>();
        var next = new int[buffers.Count];
        var queue = new PriorityQueue<int, (ulong Ts, int Cpu)>();
        for (int cpu = 0; cpu < buffers.Count; cpu++)
        {
            if (buffers[cpu].Count > 0)
            {
                queue.Enqueue(cpu, (buffers[cpu].Get(0).TimestampNs, cpu));
            }
        }

        long entries = 0;
        while (queue.TryDequeue(out int cpu, out _))
        {
            var buffer = buffers[cpu];
            if (next[cpu] == 0 && buffer.Overrun)
            {
                text.Append(CultureInfo.InvariantCulture, $"##### CPU {cpu} buffer started ####\n");
            }

            ref readonly var record = ref buffer.Get(next[cpu]);
            AppendContext(text, buffer, record.TimestampNs, trace.RecordTgid);
            AppendEvent(text, record, gfpNames);
            entries++;
            if (record.StackHandle != 0 && trace.Depot is { } depot)
            {
                AppendContext(text, buffer, record.TimestampNs, trace.RecordTgid);
                text.Append(KmemEventText.StackTraceMarker).Append('\n');
                text.Append(Frames(depot, record.StackHandle, stacks));
                entries++;
            }

            if (++next[cpu] < buffer.Count)
            {
                queue.Enqueue(cpu, (buffer.Get(next[cpu]).TimestampNs, cpu));
            }

            if (text.Length >= FlushChars)
            {
                output.Write(text);
                text.Clear();
            }
        }

        output.Write(text);
        output.Flush();
        return entries;
    }

    /// <summary>The header of the trace file with the nop tracer and irq-info (the v5.15+ legend; record-tgid moves it right).</summary>
    private static void AppendHeader(StringBuilder text, long entriesInBuffer, long entriesWritten, int cpus, bool tgid)
    {
        string pad = tgid ? new string(' ', TgidColumnWidth) : string.Empty;
        text.Append("# tracer: nop\n#\n")
            .Append(CultureInfo.InvariantCulture, $"# entries-in-buffer/entries-written: {entriesInBuffer}/{entriesWritten}   #P:{cpus}\n")
            .Append("#\n")
            .Append("#                               ").Append(pad).Append(" _-----=> irqs-off/BH-disabled\n")
            .Append("#                               ").Append(pad).Append("/ _----=> need-resched\n")
            .Append("#                              ").Append(pad).Append("| / _---=> hardirq/softirq\n")
            .Append("#                              ").Append(pad).Append("|| / _--=> preempt-depth\n")
            .Append("#                              ").Append(pad).Append("||| / _-=> migrate-disable\n")
            .Append("#                              ").Append(pad).Append("|||| /     delay\n")
            .Append(tgid ? "#           TASK-PID     TGID     CPU#  |||||  TIMESTAMP  FUNCTION\n" : "#           TASK-PID     CPU#  |||||  TIMESTAMP  FUNCTION\n")
            .Append(tgid ? "#              | |         |        |   |||||     |         |\n" : "#              | |         |   |||||     |         |\n");
    }

    /// <summary>trace_print_context(): "%16s-%-7d ", with record-tgid "(%7d) ", then "[%03d] FLAGS %5lu.%06lu: ".</summary>
    private static void AppendContext(StringBuilder text, TraceBuffer buffer, ulong timestampNs, bool tgid)
    {
        string comm = buffer.Comm;
        text.Append(' ', Math.Max(0, 16 - comm.Length)).Append(comm).Append('-');
        int pidStart = text.Length;
        text.Append(buffer.Pid);
        text.Append(' ', Math.Max(0, 7 - (text.Length - pidStart))).Append(' ');
        if (tgid)
        {
            text.Append(CultureInfo.InvariantCulture, $"({buffer.Tgid,7}) ");
        }

        text.Append(CultureInfo.InvariantCulture, $"[{buffer.Cpu:000}] {Flags} {timestampNs / 1_000_000_000,5}.{timestampNs % 1_000_000_000 / 1_000:000000}: ");
    }

    private static void AppendEvent(StringBuilder text, in TraceRecord record, Dictionary<uint, string> gfpNames)
    {
        switch (record.Kind)
        {
            case TraceEventKind.PageAlloc:
                KmemEventText.AppendAlloc(text, record.Pfn, record.Order, (int)((GfpFlags)record.Gfp).MigrateType(), GfpNames(record.Gfp, gfpNames));
                break;
            case TraceEventKind.PageFree:
                KmemEventText.AppendFree(text, record.Pfn, record.Order);
                break;
            case TraceEventKind.PageFreeBatched:
                KmemEventText.AppendFreeBatched(text, record.Pfn);
                break;
            case TraceEventKind.PageAllocZoneLocked:
                KmemEventText.AppendAllocZoneLocked(text, record.Pfn, record.Order, record.Migratetype, record.Flag);
                break;
            case TraceEventKind.PagePcpuDrain:
                KmemEventText.AppendPcpuDrain(text, record.Pfn, record.Order, record.Migratetype);
                break;
            case TraceEventKind.PageAllocExtfrag:
                KmemEventText.AppendExtfrag(text, record.Pfn, record.Order, record.FallbackOrder, Pageblock.Order, record.Migratetype, record.FallbackMigratetype, record.Flag);
                break;
            default:
                throw new System.Diagnostics.UnreachableException($"trace record of kind {record.Kind}");
        }
    }

    /// <summary>show_gfp_flags(): the %pGg names, "none" for an empty mask.</summary>
    private static string GfpNames(uint gfp, Dictionary<uint, string> cache)
    {
        if (!cache.TryGetValue(gfp, out string? names))
        {
            names = gfp == 0 ? "none" : GfpFlagNames.Format((GfpFlags)gfp);
            cache[gfp] = names;
        }

        return names;
    }

    /// <summary>One " => frame" line per frame of the stack, as page_owner's dump prints the same stack.</summary>
    private static string Frames(StackDepot depot, uint handle, Dictionary<uint, string> cache)
    {
        if (!cache.TryGetValue(handle, out string? frames))
        {
            var printed = new StringWriter { NewLine = "\n" };
            depot.Print(printed, new StackHandle(handle));
            var lines = printed.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
            frames = string.Concat(lines.Select(l => " => " + l.TrimStart(' ') + "\n"));
            cache[handle] = frames;
        }

        return frames;
    }
}
