using PageExt.Analysis.Dump;
using PageExt.Platform;

namespace PageExt.Analysis.Sort;

/// <summary>
/// page_owner_sort -a (and --sort=at or -at as first key) without spilling: with no --cull every
/// record is its own group (identical texts aside), so the external sort used to write almost the
/// whole dump to temporary runs, read it back and merge it comparing texts. Here a record is a
/// 20-byte <see cref="TimestampKey"/> whose text is rebuilt from a few thousand distinct pieces, the
/// keys are sorted in memory and the report is printed straight from the pieces.
/// </summary>
/// <remarks>
/// The order is the total order that <see cref="SortComparers.Total"/> gives the in-memory sort:
/// stamps first; equal stamps by the text (reversed where compare_ts makes glibc's merge take the
/// later element); equal texts are one group, kept by the first of them in the input.
/// <para>
/// Memory: the keys and pieces are held up to the memory budget. Beyond it (a dump of many more
/// records, or of records that share no pieces) the buffered records are handed, as groups, to
/// <see cref="ExternalGroupSort"/>, and everything from then on takes its way: correct, bounded, slower.
/// </para>
/// Lifecycle: <see cref="Run"/> creates, feeds and disposes one instance.
/// </remarks>
internal sealed class TimestampSort : IDisposable
{
    private readonly SortOptions _options;
    private readonly PieceTable _pieces = new(segmentBytes: 1 << 20, initialCapacity: 4096);
    private readonly ReservedArray<TimestampKey> _keys;
    private readonly List<SortedGroup> _groupPool = [];
    private readonly ByteArena _texts = new(segmentBytes: 1 << 20);
    private int[] _renumber = new int[4096];
    private byte[] _concat = new byte[ChunkParser.MaxRecordBytes];
    private long _flushed;
    private long _loaded;
    private ExternalGroupSort? _external;

    private TimestampSort(SortOptions options)
    {
        _options = options;
        try
        {
            _keys = new ReservedArray<TimestampKey>(InitialKeys(options.MemoryBudgetBytes));
        }
        catch (InsufficientMemoryException e)
        {
            throw new InsufficientMemoryException(
                $"no address space for the sort keys that --memory-budget {options.MemoryBudgetBytes} bytes lets in ({e.Message}); a smaller budget spills to disk sooner", e);
        }
    }

    /// <summary>Whether the options sort by allocation time over whole texts, in page_owner_sort's text format.</summary>
    public static bool Supports(SortOptions options) =>
        options.Compat == CompatMode.Modern && options.Format == OutputFormat.Text && options.Cull == CullKeys.None
        && options.Sort.Count > 0 && options.Sort[0].Key == SortKey.AllocTimestamp
        && (options.Sort.Count == 1 || !options.Sort[0].ThreeWayTimestamp);

    /// <summary>
    /// Reads and sorts <paramref name="input"/>, then prints through <paramref name="writeKeys"/> (the
    /// records fit the budget; it returns the groups it printed) or <paramref name="writeGroups"/>
    /// (they were handed to the external sort).
    /// </summary>
    public static SortResult Run(SortOptions options, Stream input, Func<SortedTimestamps, int> writeKeys, Action<IEnumerable<SortedGroup>> writeGroups,
        DiagnosticLog log, Action<long>? progress = null, Action<string>? stage = null, int chunkBytes = DumpChunkReader.DefaultChunkBytes)
    {
        using var sort = new TimestampSort(options);
        var read = DumpPipeline.Run(input, keepPfnLines: false, () => new TimestampChunkSink(options), sort.Merge, log, progress, chunkBytes);
        stage?.Invoke($"loaded {sort._loaded}");
        if (sort._external is { } external)
        {
            sort.Flush();
            stage?.Invoke("sorting ....");
            stage?.Invoke("culling");
            writeGroups(external.Finish());
            return new SortResult(read, sort._loaded, external.Groups, null, external.RunCount);
        }

        if (read.Records == 0 && log.SkippedRecords > 0)
        {
            string unusable = $"not a page_owner dump: none of its {read.Lines} lines starts a record (\"Page allocated via order ...\")";
            return new SortResult(read, 0, 0, unusable, 0);
        }

        stage?.Invoke("sorting ....");
        var sorted = sort.SortKeys();
        stage?.Invoke("culling");
        int groups = writeKeys(sorted);
        return new SortResult(read, sort._loaded, groups, null, 0);
    }

    public void Dispose()
    {
        _external?.Dispose();
        _keys.Dispose();
    }

    /// <summary>Room for the keys the budget lets in and one more chunk's, within reason: more moves the keys once.</summary>
    private static long InitialKeys(long budgetBytes) =>
        Math.Min(budgetBytes / System.Runtime.CompilerServices.Unsafe.SizeOf<TimestampKey>(), 64L << 20) + (1 << 20);

    private long EstimatedBytes => (_keys.Count * (long)System.Runtime.CompilerServices.Unsafe.SizeOf<TimestampKey>()) + _pieces.EstimatedBytes;

    /// <summary>Adds one chunk's keys, renumbering its pieces into the global table.</summary>
    private void Merge(TimestampChunkSink sink, long lineBase)
    {
        var keys = sink.Keys;
        if (keys.Length == 0)
        {
            return;
        }

        var local = sink.Pieces;
        if (_pieces.Count + local.Count >= TimestampKey.MaxPieces)
        {
            Flush();
        }

        if (_renumber.Length < local.Count)
        {
            _renumber = new int[Math.Max(local.Count, _renumber.Length * 2)];
        }

        for (int i = 0; i < local.Count; i++)
        {
            _renumber[i] = _pieces.Intern(local[i], local.HashOf(i));
        }

        uint sequenceBase = (uint)_keys.Count;
        var appended = _keys.Append(keys.Length);
        for (int i = 0; i < keys.Length; i++)
        {
            ref readonly var key = ref keys[i];
            appended[i] = key.Renumber(_renumber[key.Head], _renumber[key.Tail], sequenceBase);
        }

        _loaded += keys.Length;
        if (EstimatedBytes > _options.MemoryBudgetBytes || _keys.Count > int.MaxValue - (1 << 24))
        {
            Flush();
        }
    }

    /// <summary>
    /// Hands the buffered records to the external sort as one-record groups, in input order, in runs
    /// of about the memory budget each, and empties the buffer.
    /// </summary>
    private void Flush()
    {
        _external ??= new ExternalGroupSort(_options);
        var batch = new List<SortedGroup>();
        long batchBytes = 0;
        _texts.Reset();
        var keys = _keys.Span;
        for (int i = 0; i < keys.Length; i++)
        {
            var key = keys[i];
            if (batch.Count == _groupPool.Count)
            {
                _groupPool.Add(new SortedGroup(ReadOnlyMemory<byte>.Empty, ReadOnlyMemory<byte>.Empty));
            }

            var group = _groupPool[batch.Count];
            Bind(group, key, _flushed + key.Sequence);
            batch.Add(group);
            batchBytes += ExternalGroupSort.EstimateBytes(group);
            if (batchBytes > _options.MemoryBudgetBytes)
            {
                _external.Spill([.. batch]);
                batch.Clear();
                batchBytes = 0;
                _texts.Reset();
            }
        }

        if (batch.Count > 0)
        {
            _external.Spill([.. batch]);
        }

        _flushed += keys.Length;
        _keys.Clear();
        _pieces.Reset();
    }

    /// <summary>Points <paramref name="group"/> at the record's rebuilt text, with the fields the in-memory sort would have read.</summary>
    private void Bind(SortedGroup group, in TimestampKey key, long firstLine)
    {
        var head = _pieces[key.Head];
        var tail = _pieces[key.Tail];
        Span<byte> digits = stackalloc byte[20];
        int digitCount = 0;
        if (key.HasDigits)
        {
            System.Buffers.Text.Utf8Formatter.TryFormat(key.TimestampNs, digits, out digitCount);
        }

        var slice = _texts.Add(Concat(head, digits[..digitCount], tail));
        var text = _texts.GetMemory(slice);
        var comm = KernelFields.FindComm(text.Span);
        group.Bind(text, comm.Found ? text[comm.Start..comm.End] : ReadOnlyMemory<byte>.Empty);
        group.Count = 1;
        group.Pages = key.Pages;
        group.Pid = KernelFields.ParsePid(text.Span, KernelFields.FindPid(text.Span), out _);
        group.Tgid = KernelFields.ParsePid(text.Span, KernelFields.FindTgid(text.Span), out _);
        group.Allocator = key.Allocator;
        group.TimestampNs = key.TimestampNs;
        group.FreeTimestampNs = 0;
        group.FirstLine = firstLine;
    }

    private ReadOnlySpan<byte> Concat(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, ReadOnlySpan<byte> c)
    {
        int length = a.Length + b.Length + c.Length;
        if (_concat.Length < length)
        {
            _concat = new byte[length];
        }

        a.CopyTo(_concat);
        b.CopyTo(_concat.AsSpan(a.Length));
        c.CopyTo(_concat.AsSpan(a.Length + b.Length));
        return _concat.AsSpan(0, length);
    }

    /// <summary>Sorts by stamp, then puts each run of equal stamps in the full order.</summary>
    private SortedTimestamps SortKeys()
    {
        var keys = _keys.Span;
        var term = _options.Sort[0];
        if (term.Descending)
        {
            TimestampRadixSort.Sort(keys, new TimestampRadixSort.Descending());
        }
        else
        {
            TimestampRadixSort.Sort(keys, new TimestampRadixSort.Ascending());
        }

        var order = new TimestampOrder(_pieces, term.Descending, TextDescending: !term.ThreeWayTimestamp && !term.Descending);
        new TimestampTies(_pieces, order).SortRuns(keys);
        return new SortedTimestamps(_keys, _pieces);
    }
}
