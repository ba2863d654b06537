using PageExt.Analysis.Dump;
using PageExt.Analysis.Reports;
using PageExt.Analysis.Sort;

namespace PageExt.Analysis.Pictures;

/// <summary>
/// Everything the report shows about one dump, merged over its chunks in input order: top's own
/// totals (<see cref="DumpTotals"/>: stacks, processes by tgid, allocator classes), plus orders, page
/// migrate types and the pageblocks seen in the PFN lines.
/// </summary>
internal sealed class PictureTotals
{
    public PictureTotals()
        : this(new DumpTotals())
    {
    }

    /// <summary>Totals read by a summary's reader (a page_owner_stacks file, page_owner_sort's output): stacks only, no orders or pageblocks.</summary>
    public PictureTotals(DumpTotals totals)
    {
        Totals = totals;
    }

    /// <summary>What top and diff read from the same dump.</summary>
    public DumpTotals Totals { get; }

    public GroupTable Stacks => Totals.Stacks;

    public GroupTable Allocators => Totals.Allocators;

    public GroupTable PageTypes { get; } = new(segmentBytes: 1 << 12);

    public long[] OrderRecords { get; } = new long[RecordOrder.MaxOrder + 2];

    public long[] OrderPages { get; } = new long[RecordOrder.MaxOrder + 2];

    public Dictionary<ulong, PageblockTally> Pageblocks { get; } = [];

    public int PageblockOrder { get; private set; } = -1;

    public long Records => Totals.Records;

    public long Pages => Totals.Pages;

    /// <summary>The dump's processes, as top lists them.</summary>
    public IReadOnlyList<ProcessTotals> Processes() => Totals.Processes();

    public DumpReadSummary? Read { get; private set; }

    public static PictureTotals Load(Stream input, DiagnosticLog log, Action<long>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(log);
        var totals = new PictureTotals();
        totals.Read = DumpPipeline.Run(input, keepPfnLines: false, () => new PictureSink(), totals.Merge, log, progress);
        return totals;
    }

    private void Merge(PictureSink sink, long lineBase)
    {
        Totals.Add(sink.Totals);
        if (PageblockOrder < 0)
        {
            PageblockOrder = sink.PageblockOrder;
        }

        MergeTable(PageTypes, sink.PageTypes);
        for (int i = 0; i < OrderRecords.Length; i++)
        {
            OrderRecords[i] += sink.OrderRecords[i];
            OrderPages[i] += sink.OrderPages[i];
        }

        foreach (var (block, tally) in sink.Pageblocks)
        {
            if (Pageblocks.TryGetValue(block, out var merged))
            {
                merged.MergeFrom(tally);
            }
            else
            {
                // The sink is reset and reused, but Reset only clears its dictionary: the tally objects move here.
                Pageblocks.Add(block, tally);
            }
        }
    }

    private static void MergeTable(GroupTable target, GroupTable source)
    {
        foreach (ref var group in source.Groups)
        {
            ref var entry = ref target.FindOrAdd(source.Arena.Get(group.Key), group.Hash, out _);
            entry.Count += group.Count;
            entry.Pages += group.Pages;
        }
    }
}
