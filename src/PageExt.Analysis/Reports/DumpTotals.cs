using System.Buffers.Binary;
using PageExt.Analysis.Dump;
using PageExt.Analysis.Sort;

namespace PageExt.Analysis.Reports;

/// <summary>One line of a totals report: a stack, a process or an allocator class with its sums.</summary>
internal sealed record TotalsEntry(string Key, string Label, long Records, long Pages);

/// <summary>
/// Per-stack, per-process and per-allocator totals of one dump, for `top` and `diff`. Like the sort
/// aggregation it keeps one entry per distinct key, never the records.
/// </summary>
/// <remarks>
/// A stack is the record's frames only (the migrate and memcg lines are not part of who allocated
/// it), each as <see cref="RecordLines.FrameIdentity"/> gives it: the text of the frame without the
/// addresses that change from boot to boot, so stacks match across runs. Processes are counted per
/// (thread group, thread name, is-leader) here and folded into thread groups by
/// <see cref="ProcessTotals.Fold"/>, which names each by its leader.
/// </remarks>
internal sealed class DumpTotals
{
    public GroupTable Stacks { get; } = new(segmentBytes: 1 << 20);

    /// <summary>Keys are <see cref="ThreadKey"/>s; their text is unused.</summary>
    public GroupTable Threads { get; } = new(segmentBytes: 1 << 16);

    public GroupTable Allocators { get; } = new(segmentBytes: 1 << 12);

    public long Records { get; private set; }

    public long Pages { get; private set; }

    public DumpReadSummary? Read { get; private set; }

    /// <summary>Reads a whole dump into totals.</summary>
    public static DumpTotals Load(Stream input, DiagnosticLog log, Action<long>? progress = null)
    {
        var totals = new DumpTotals();
        totals.Read = DumpPipeline.Run(input, keepPfnLines: false, () => new Sink(), (sink, _) => totals.Add(sink), log, progress);
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

    /// <summary>The dump's processes: one per thread group, named by its leader where it has a record.</summary>
    public IReadOnlyList<ProcessTotals> Processes() => ProcessTotals.Fold(Threads);

    /// <summary>The processes as table entries keyed by tgid (pid where there is none), as top lists them.</summary>
    public IReadOnlyList<TotalsEntry> ProcessEntries() =>
        Processes().Select(p => new TotalsEntry(p.PidKey, p.Label, p.Records, p.Pages)).ToList();

    /// <summary>Adds one chunk's counts; chunks are added in input order.</summary>
    internal void Add(Sink sink)
    {
        ArgumentNullException.ThrowIfNull(sink);
        Records += sink.Records;
        Pages += sink.Pages;
        MergeTable(Stacks, sink.Stacks);
        MergeTable(Threads, sink.Threads);
        MergeTable(Allocators, sink.Allocators);
    }

    /// <summary>
    /// Adds a stack's totals where no record is read one by one: page_owner_stacks prints pages per
    /// stack (no records), page_owner_sort's output a count and pages per group. The dump's own totals
    /// are added apart, by <see cref="AddTotals"/>, since a group may count under a stack and an allocator.
    /// </summary>
    internal void AddStack(ReadOnlySpan<byte> frames, long records, long pages) => AddGroup(Stacks, frames, records, pages);

    /// <inheritdoc cref="AddStack"/>
    internal void AddAllocator(ReadOnlySpan<byte> name, long records, long pages) => AddGroup(Allocators, name, records, pages);

    internal void AddTotals(long records, long pages)
    {
        Records += records;
        Pages += pages;
    }

    private static void AddGroup(GroupTable table, ReadOnlySpan<byte> key, long records, long pages)
    {
        ref var entry = ref table.FindOrAdd(key, ByteHash.Hash(key), out bool added);
        if (added)
        {
            entry.Text = table.Arena.Add(key);
        }

        entry.Count += records;
        entry.Pages += pages;
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

    /// <summary>
    /// The bytes a thread is counted under: the id (tgid, or pid when the record has no tgid, or -1
    /// when it has neither), <see cref="ThreadFlags"/>, then the comm.
    /// </summary>
    internal static class ThreadKey
    {
        public const int HeaderBytes = 5;

        public static int Write(Span<byte> key, int id, ThreadFlags flags, ReadOnlySpan<byte> comm)
        {
            BinaryPrimitives.WriteInt32LittleEndian(key, id);
            key[4] = (byte)flags;
            comm.CopyTo(key[HeaderBytes..]);
            return HeaderBytes + comm.Length;
        }

        public static (int Id, ThreadFlags Flags, string Comm) Read(ReadOnlySpan<byte> key) =>
            (BinaryPrimitives.ReadInt32LittleEndian(key), (ThreadFlags)key[4], RecordDetails.Decode(key[HeaderBytes..]));
    }

    /// <summary>
    /// Counts one chunk's records. The report's sink wraps it, so the report counts stacks, processes,
    /// allocator classes and pages exactly as top and diff do.
    /// </summary>
    internal sealed class Sink : IRecordSink
    {
        /// <summary>TASK_COMM_LEN is 16 (64 since 2025); anything longer is cut here, it only names.</summary>
        private const int MaxCommBytes = 200;

        /// <summary>Allocator classes are bit sets below <see cref="KernelFields.AllocatorOthers"/> &lt;&lt; 1.</summary>
        private const int AllocatorClasses = KernelFields.AllocatorOthers << 1;

        /// <summary>"CMA SLAB", "OTHERS"...: page_owner_sort's names of every class, made once rather than per record.</summary>
        private static readonly byte[][] s_allocatorNames = Enumerable.Range(0, AllocatorClasses)
            .Select(bits => System.Text.Encoding.ASCII.GetBytes(string.Join(' ', SortTextWriter.AllocatorNames(bits))))
            .ToArray();

        private readonly byte[] _frames = new byte[ChunkParser.MaxRecordBytes];
        private readonly byte[] _thread = new byte[ThreadKey.HeaderBytes + MaxCommBytes];

        public GroupTable Stacks { get; } = new(segmentBytes: 1 << 18);

        public GroupTable Threads { get; } = new(segmentBytes: 1 << 14);

        public GroupTable Allocators { get; } = new(segmentBytes: 1 << 10);

        public long Records { get; private set; }

        public long Pages { get; private set; }

        /// <summary>The last accepted record's order, or -1 when <see cref="RecordOrder"/> finds it unusable.</summary>
        public int LastOrder { get; private set; }

        /// <summary>The pages the last accepted record counts.</summary>
        public long LastPages { get; private set; }

        /// <summary>The id the last accepted record's process is counted under: tgid, else pid, else -1.</summary>
        public int LastId { get; private set; }

        public void Reset()
        {
            Stacks.Reset();
            Threads.Reset();
            Allocators.Reset();
            Records = 0;
            Pages = 0;
        }

        public void Accept(in RawRecord record, List<DumpDiagnostic> diagnostics)
        {
            var text = record.Text;
            long pages = RecordOrder.Pages(text, record.Line, diagnostics);
            LastOrder = pages == 0 ? -1 : System.Numerics.BitOperations.Log2((ulong)pages);
            LastPages = pages;
            Records++;
            Pages += pages;

            int frameBytes = 0;
            var lines = SortedGroup.StackTraceOf(text);
            while (!lines.IsEmpty)
            {
                int end = lines.IndexOf((byte)'\n');
                var line = lines[..end];
                lines = lines[(end + 1)..];
                if (RecordLines.IsFrame(line))
                {
                    var frame = RecordLines.FrameIdentity(line);
                    frame.CopyTo(_frames.AsSpan(frameBytes));
                    frameBytes += frame.Length;
                    _frames[frameBytes++] = (byte)'\n';
                }
            }

            var frames = _frames.AsSpan(0, frameBytes);
            Add(Stacks, frames, frames, pages);

            int pid = KernelFields.ParsePid(text, KernelFields.FindPid(text), out _);
            int tgid = KernelFields.ParsePid(text, KernelFields.FindTgid(text), out _);
            var flags = tgid >= 0 ? ThreadFlags.IdIsTgid | (pid == tgid ? ThreadFlags.Leader : 0) : ThreadFlags.None;
            var commCapture = tgid >= 0 ? KernelFields.FindComm(text) : KernelFields.FindPidComm(text);
            if (tgid < 0 && pid < 0 && commCapture.Found)
            {
                pid = KernelFields.ParsePidBeforeComm(text, commCapture);
            }

            var comm = commCapture.Found ? text[commCapture.Start..Math.Min(commCapture.End, commCapture.Start + MaxCommBytes)] : [];
            LastId = tgid >= 0 ? tgid : pid;
            int n = ThreadKey.Write(_thread, LastId, flags, comm);
            var thread = _thread.AsSpan(0, n);
            Add(Threads, thread, thread, pages);

            var name = s_allocatorNames[KernelFields.Allocator(text, record.PfnAllocator) & (AllocatorClasses - 1)];
            Add(Allocators, name, name, pages);
        }
    }
}
