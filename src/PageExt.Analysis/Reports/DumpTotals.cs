using PageExt.Analysis.Dump;
using PageExt.Analysis.Sort;

namespace PageExt.Analysis.Reports;

/// <summary>One line of a totals report: a stack, a process or an allocator class with its sums.</summary>
internal sealed record TotalsEntry(string Key, string Label, long Records, long Pages);

/// <summary>
/// Per-stack, per-process and per-allocator totals of one dump, for `top` and `diff`. Like the sort
/// aggregation it keeps one entry per distinct key, never the records. A stack is the record's frame
/// lines only (the migrate and memcg lines are not part of who allocated it); a process is its tgid
/// and comm (the pid and comm when the dump has no tgid).
/// </summary>
internal sealed class DumpTotals
{
    public GroupTable Stacks { get; } = new(segmentBytes: 1 << 20);

    public GroupTable Processes { get; } = new(segmentBytes: 1 << 16);

    public GroupTable Allocators { get; } = new(segmentBytes: 1 << 12);

    public long Records { get; private set; }

    public long Pages { get; private set; }

    public DumpReadSummary? Read { get; private set; }

    /// <summary>Reads a whole dump into totals.</summary>
    public static DumpTotals Load(Stream input, DiagnosticLog log, Action<long>? progress = null)
    {
        var totals = new DumpTotals();
        totals.Read = DumpPipeline.Run(input, keepPfnLines: false, () => new Sink(), totals.Merge, log, progress);
        return totals;
    }

    public static IReadOnlyList<TotalsEntry> Entries(GroupTable table)
    {
        var entries = new List<TotalsEntry>(table.Count);
        foreach (ref var group in table.Groups)
        {
            entries.Add(new TotalsEntry(
                RecordDetails.Decode(table.Arena.Get(group.Key)),
                RecordDetails.Decode(table.Arena.Get(group.Text)),
                group.Count,
                group.Pages));
        }

        return entries;
    }

    private void Merge(Sink sink, long lineBase)
    {
        Records += sink.Records;
        Pages += sink.Pages;
        MergeTable(Stacks, sink.Stacks);
        MergeTable(Processes, sink.Processes);
        MergeTable(Allocators, sink.Allocators);
    }

    private static void MergeTable(GroupTable target, GroupTable source)
    {
        foreach (ref var group in source.Groups)
        {
            ref var entry = ref target.FindOrAdd(source.Arena.Get(group.Key), group.Hash, out bool added);
            if (added)
            {
                entry.Text = target.Arena.Add(source.Arena.Get(group.Text));
            }

            entry.Count += group.Count;
            entry.Pages += group.Pages;
        }
    }

    private static void Add(GroupTable table, ReadOnlySpan<byte> key, ReadOnlySpan<byte> label, long pages)
    {
        ref var entry = ref table.FindOrAdd(key, ByteHash.Hash(key), out bool added);
        if (added)
        {
            entry.Text = table.Arena.Add(label);
        }

        entry.Count++;
        entry.Pages += pages;
    }

    private sealed class Sink : IRecordSink
    {
        private readonly byte[] _frames = new byte[ChunkParser.MaxRecordBytes];
        private readonly byte[] _process = new byte[256];

        public GroupTable Stacks { get; } = new(segmentBytes: 1 << 18);

        public GroupTable Processes { get; } = new(segmentBytes: 1 << 14);

        public GroupTable Allocators { get; } = new(segmentBytes: 1 << 10);

        public long Records { get; private set; }

        public long Pages { get; private set; }

        public void Reset()
        {
            Stacks.Reset();
            Processes.Reset();
            Allocators.Reset();
            Records = 0;
            Pages = 0;
        }

        public void Accept(in RawRecord record, List<DumpDiagnostic> diagnostics)
        {
            var text = record.Text;
            var orderCapture = KernelFields.FindOrder(text);
            long pages = orderCapture.Found && KernelFields.TryParseDigits(text[orderCapture.Start..orderCapture.End], out ulong order) && order <= 40
                ? 1L << (int)order
                : 0;
            Records++;
            Pages += pages;

            int frameBytes = 0;
            var lines = SortedGroup.StackTraceOf(text);
            while (!lines.IsEmpty)
            {
                int end = lines.IndexOf((byte)'\n');
                var line = lines[..(end + 1)];
                lines = lines[(end + 1)..];
                if (line.StartsWith(" "u8) || line.StartsWith("[<"u8) || line.StartsWith("[0x"u8))
                {
                    line.CopyTo(_frames.AsSpan(frameBytes));
                    frameBytes += line.Length;
                }
            }

            var frames = _frames.AsSpan(0, frameBytes);
            Add(Stacks, frames, frames, pages);

            int tgid = KernelFields.ParsePid(text, KernelFields.FindTgid(text), out _);
            int id = tgid >= 0 ? tgid : KernelFields.ParsePid(text, KernelFields.FindPid(text), out _);
            var commCapture = KernelFields.FindComm(text);
            var comm = commCapture.Found ? text[commCapture.Start..Math.Min(commCapture.End, commCapture.Start + 200)] : [];
            int n = System.Text.Encoding.ASCII.GetBytes(id.ToString(), _process);
            _process[n++] = (byte)' ';
            comm.CopyTo(_process.AsSpan(n));
            n += comm.Length;
            var process = _process.AsSpan(0, n);
            Add(Processes, process, process, pages);

            int allocator = KernelFields.Allocator(text, record.PfnAllocator);
            var name = System.Text.Encoding.ASCII.GetBytes(string.Join(' ', SortTextWriter.AllocatorNames(allocator)));
            Add(Allocators, name, name, pages);
        }
    }
}
