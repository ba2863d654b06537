using PageExt.Analysis.Dump;
using PageExt.Analysis.Reports;
using PageExt.Analysis.Sort;

namespace PageExt.Analysis.Pictures;

/// <summary>
/// Aggregates one chunk of records for the report. Stacks, processes (threads folded into thread
/// groups by <see cref="ProcessTotals"/>), allocator classes and pages are counted by top's own sink
/// (<see cref="DumpTotals.Sink"/>), so the report and top cannot disagree; this adds orders, page
/// migrate types and pageblocks. Keeps one entry per distinct key and per pageblock, never the records.
/// </summary>
internal sealed class PictureSink : IRecordSink
{
    /// <summary>Stacks, threads, allocator classes, records and pages, exactly as top counts them.</summary>
    public DumpTotals.Sink Totals { get; } = new();

    /// <summary>Keyed by the page's migrate type name; "unknown" when the record's format does not print it.</summary>
    public GroupTable PageTypes { get; } = new(segmentBytes: 1 << 10);

    /// <summary>[order] = records or pages, by <see cref="RecordOrder"/>'s rule; the last slot counts records whose order is unusable.</summary>
    public long[] OrderRecords { get; } = new long[RecordOrder.MaxOrder + 2];

    public long[] OrderPages { get; } = new long[RecordOrder.MaxOrder + 2];

    public Dictionary<ulong, PageblockTally> Pageblocks { get; } = [];

    /// <summary>pageblock_order as the PFN lines show it (Block = PFN >> order); -1 until a record tells.</summary>
    public int PageblockOrder { get; private set; } = -1;

    public void Reset()
    {
        Totals.Reset();
        PageTypes.Reset();
        Array.Clear(OrderRecords);
        Array.Clear(OrderPages);
        Pageblocks.Clear();
    }

    public void Accept(in RawRecord record, List<DumpDiagnostic> diagnostics)
    {
        Totals.Accept(record, diagnostics);
        long pages = Totals.LastPages;
        int order = Totals.LastOrder >= 0 ? Totals.LastOrder : RecordOrder.MaxOrder + 1;
        OrderRecords[order]++;
        OrderPages[order] += pages;

        if (PfnLine.TryParse(record.OwnPfnLine, out var pfnLine))
        {
            Add(PageTypes, pfnLine.PageType.IsEmpty ? "unknown"u8 : pfnLine.PageType, pages);
            AddToPageblocks(pfnLine, pages, Totals.LastId);
        }
        else
        {
            Add(PageTypes, "unknown"u8, pages);
        }
    }

    private void AddToPageblocks(in PfnLine line, long pages, int owner)
    {
        if (PageblockOrder < 0 && line.Block > 0)
        {
            for (int order = 0; order < 32; order++)
            {
                if (line.Pfn >> order == line.Block)
                {
                    PageblockOrder = order;
                    break;
                }
            }
        }

        if (!Pageblocks.TryGetValue(line.Block, out var head))
        {
            head = new PageblockTally();
            Pageblocks.Add(line.Block, head);
        }

        head.Type = PfnLine.TypeName(line.BlockType);
        head.Records++;
        head.Mixed |= line.Fallback;

        // Spread the pages over the blocks they cover; before the order is known, all go to the head block.
        int blockOrder = PageblockOrder;
        ulong blockPages = blockOrder < 0 ? ulong.MaxValue : 1UL << blockOrder;
        ulong offset = blockOrder < 0 ? 0 : line.Pfn & (blockPages - 1);
        ulong left = (ulong)pages;
        ulong block = line.Block;
        var tally = head;
        while (true)
        {
            ulong here = Math.Min(left, blockPages - offset);
            tally.Pages += (long)here;
            tally.Owners[owner] = tally.Owners.GetValueOrDefault(owner) + (long)here;
            left -= here;
            if (left == 0)
            {
                break;
            }

            offset = 0;
            block++;
            if (!Pageblocks.TryGetValue(block, out tally))
            {
                tally = new PageblockTally();
                Pageblocks.Add(block, tally);
            }
        }
    }

    private static void Add(GroupTable table, ReadOnlySpan<byte> key, long pages)
    {
        ref var entry = ref table.FindOrAdd(key, ByteHash.Hash(key), out _);
        entry.Count++;
        entry.Pages += pages;
    }
}
