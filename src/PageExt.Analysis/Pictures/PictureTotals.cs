using PageExt.Analysis.Dump;
using PageExt.Analysis.Sort;

namespace PageExt.Analysis.Pictures;

/// <summary>
/// Everything the report shows about one dump, merged over its chunks in input order: the same
/// bounded aggregation as `top` (one entry per distinct stack, process and pageblock), plus orders,
/// page migrate types and the pageblocks seen in the PFN lines.
/// </summary>
internal sealed class PictureTotals
{
    public GroupTable Stacks { get; } = new(segmentBytes: 1 << 20);

    public GroupTable Processes { get; } = new(segmentBytes: 1 << 16);

    public GroupTable Allocators { get; } = new(segmentBytes: 1 << 12);

    public GroupTable PageTypes { get; } = new(segmentBytes: 1 << 12);

    public long[] OrderRecords { get; } = new long[PictureSink.MaxOrder + 2];

    public long[] OrderPages { get; } = new long[PictureSink.MaxOrder + 2];

    public Dictionary<ulong, PageblockTally> Pageblocks { get; } = [];

    public int PageblockOrder { get; private set; } = -1;

    public long Records { get; private set; }

    public long Pages { get; private set; }

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
        Records += sink.Records;
        Pages += sink.Pages;
        if (PageblockOrder < 0)
        {
            PageblockOrder = sink.PageblockOrder;
        }

        MergeTable(Stacks, sink.Stacks);
        MergeTable(Processes, sink.Processes);
        MergeTable(Allocators, sink.Allocators);
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
            ref var entry = ref target.FindOrAdd(source.Arena.Get(group.Key), group.Hash, out bool added);
            if (added)
            {
                entry.Tgid = group.Tgid;
            }

            entry.Count += group.Count;
            entry.Pages += group.Pages;
        }
    }
}
