using System.Globalization;

namespace PageExt.Analysis.Trace;

/// <summary>The replay's account on stderr: what was read, what was rebuilt, and every anomaly with its first lines.</summary>
internal static class TraceSummary
{
    public static void Write(TextWriter writer, string prefix, TraceReplay replay, long records, bool atGiven)
    {
        var counts = replay.Counts;
        var kinds = Enum.GetValues<KmemEventKind>()
            .Where(k => k != KmemEventKind.Other && counts.Events[(int)k] > 0)
            .Select(k => $"{KmemEventLayout.Name(k)} {counts.Events[(int)k]}");
        var held = replay.HeldByPfn.Values.Concat(replay.HeldByPointer.Values).ToList();
        long pages = held.Sum(o => 1L << o.Order);
        long withStack = held.Count(o => o.StackId >= 0);
        writer.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{prefix}: {counts.Lines} lines, {counts.KmemEvents} kmem page events ({string.Join(", ", kinds)}), {counts.OtherEvents} other events; {records} blocks held ({pages} pages), {withStack} with a stack; {counts.FailedAllocations} failed allocations"));
        foreach (var anomaly in counts.Anomalies.Where(a => a.Count > 0))
        {
            writer.WriteLine($"{prefix}: note: {anomaly}");
        }

        Note(writer, prefix, counts.SplitBlocks, "blocks split to order-0 pages because part of them was freed (split_page, THP split)");
        Note(writer, prefix, counts.BatchedFreesOfFreePages, "mm_page_free_batched of pages already freed by mm_page_free (newer kernels trace both for one free)");
        Note(writer, prefix, counts.PointerKeyedAllocations, "allocations without pfn=, tracked by their page= pointer (no PFN line in the dump)");
        Note(writer, prefix, counts.TimestampSteps, "events earlier than the line before (per-CPU clocks differ; replayed in file order)");
        Note(writer, prefix, counts.LostEventLines, $"lost-event lines ({counts.LostEvents} events or more lost: frees and allocations may be missing)");
        Note(writer, prefix, counts.OverwrittenEvents, "events overwritten in the ring buffer before it was read (entries-written > entries-in-buffer)");
        if (atGiven)
        {
            writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{prefix}: --at: {counts.AfterAt} later events read and not applied"));
        }
    }

    private static void Note(TextWriter writer, string prefix, long count, string what)
    {
        if (count > 0)
        {
            writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{prefix}: note: {count} {what}"));
        }
    }
}
