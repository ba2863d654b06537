using System.Text;
using PageExt.Analysis.Dump;
using PageExt.Analysis.Reports;
using PageExt.Analysis.Sort;

namespace PageExt.Analysis.Pictures;

/// <summary>
/// Aggregates one chunk of records for the report: per stack, process (tgid and comm), allocator
/// class (page_owner_sort's get_allocator), order, page migrate type and pageblock. Keeps one entry
/// per distinct key and per pageblock, never the records.
/// </summary>
internal sealed class PictureSink : IRecordSink
{
    public const int MaxOrder = 64;

    private readonly byte[] _frames = new byte[ChunkParser.MaxRecordBytes];
    private readonly byte[] _process = new byte[256];
    /// <summary>Allocator classes are bit sets below <see cref="KernelFields.AllocatorOthers"/> &lt;&lt; 1.</summary>
    private const int AllocatorClasses = KernelFields.AllocatorOthers << 1;

    /// <summary>"CMA SLAB", "OTHERS"...: page_owner_sort's names of every class, made once rather than per record.</summary>
    private static readonly byte[][] s_allocatorNames = Enumerable.Range(0, AllocatorClasses)
        .Select(bits => Encoding.ASCII.GetBytes(string.Join(' ', SortTextWriter.AllocatorNames(bits))))
        .ToArray();

    public GroupTable Stacks { get; } = new(segmentBytes: 1 << 18);

    /// <summary>Keyed by "id comm"; <see cref="SortGroup.Tgid"/> holds the id.</summary>
    public GroupTable Processes { get; } = new(segmentBytes: 1 << 14);

    public GroupTable Allocators { get; } = new(segmentBytes: 1 << 10);

    /// <summary>Keyed by the page's migrate type name; "unknown" when the record's format does not print it.</summary>
    public GroupTable PageTypes { get; } = new(segmentBytes: 1 << 10);

    /// <summary>[order] = (records, pages); the last slot counts records whose order is unreadable.</summary>
    public long[] OrderRecords { get; } = new long[MaxOrder + 2];

    public long[] OrderPages { get; } = new long[MaxOrder + 2];

    public Dictionary<ulong, PageblockTally> Pageblocks { get; } = [];

    /// <summary>pageblock_order as the PFN lines show it (Block = PFN >> order); -1 until a record tells.</summary>
    public int PageblockOrder { get; private set; } = -1;

    public long Records { get; private set; }

    public long Pages { get; private set; }

    public void Reset()
    {
        Stacks.Reset();
        Processes.Reset();
        Allocators.Reset();
        PageTypes.Reset();
        Array.Clear(OrderRecords);
        Array.Clear(OrderPages);
        Pageblocks.Clear();
        Records = 0;
        Pages = 0;
    }

    public void Accept(in RawRecord record, List<DumpDiagnostic> diagnostics)
    {
        var text = record.Text;
        var orderCapture = KernelFields.FindOrder(text);
        int order = orderCapture.Found && KernelFields.TryParseDigits(text[orderCapture.Start..orderCapture.End], out ulong o) && o <= MaxOrder
            ? (int)o
            : MaxOrder + 1;
        long pages = order <= MaxOrder ? 1L << Math.Min(order, 40) : 0;
        Records++;
        Pages += pages;
        OrderRecords[order]++;
        OrderPages[order] += pages;

        int frameBytes = 0;
        var lines = SortedGroup.StackTraceOf(text);
        while (!lines.IsEmpty)
        {
            int end = lines.IndexOf((byte)'\n');
            var line = end < 0 ? lines : lines[..(end + 1)];
            lines = end < 0 ? [] : lines[(end + 1)..];
            if (line.StartsWith(" "u8) || line.StartsWith("[<"u8) || line.StartsWith("[0x"u8))
            {
                line.CopyTo(_frames.AsSpan(frameBytes));
                frameBytes += line.Length;
            }
        }

        Add(Stacks, _frames.AsSpan(0, frameBytes), pages);

        int tgid = KernelFields.ParsePid(text, KernelFields.FindTgid(text), out _);
        int id = tgid >= 0 ? tgid : KernelFields.ParsePid(text, KernelFields.FindPid(text), out _);
        var commCapture = KernelFields.FindComm(text);
        var comm = commCapture.Found ? text[commCapture.Start..Math.Min(commCapture.End, commCapture.Start + 200)] : [];
        id.TryFormat(_process, out int n, provider: System.Globalization.CultureInfo.InvariantCulture);
        _process[n++] = (byte)' ';
        comm.CopyTo(_process.AsSpan(n));
        n += comm.Length;
        Add(Processes, _process.AsSpan(0, n), pages).Tgid = id;

        Add(Allocators, s_allocatorNames[KernelFields.Allocator(text, record.PfnAllocator) & (AllocatorClasses - 1)], pages);

        if (PfnLine.TryParse(record.OwnPfnLine, out var pfnLine))
        {
            Add(PageTypes, pfnLine.PageType.IsEmpty ? "unknown"u8 : pfnLine.PageType, pages);
            AddToPageblocks(pfnLine, pages, id);
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

    private static ref SortGroup Add(GroupTable table, ReadOnlySpan<byte> key, long pages)
    {
        ref var entry = ref table.FindOrAdd(key, ByteHash.Hash(key), out _);
        entry.Count++;
        entry.Pages += pages;
        return ref entry;
    }
}
