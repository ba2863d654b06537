namespace PageExt.Trace;

/// <summary>
/// One CPU's ring buffer: in PageExt, one thread's, because per-CPU state belongs to threads (see
/// docs/design.md). Only the owning thread writes it, so an event takes no lock and no atomic
/// instruction. It starts small and doubles up to its capacity (trace_buf_size); once full, each
/// new event overwrites the oldest, the kernel's default overwrite mode, and the lost ones are
/// counted.
/// </summary>
internal sealed class TraceBuffer
{
    private const int InitialRecords = 256;

    private readonly int _capacity;
    private TraceRecord[] _records;
    private int _next;

    public TraceBuffer(long ownerId, int cpu, int capacity, int pid, int tgid, string comm)
    {
        OwnerId = ownerId;
        Cpu = cpu;
        Pid = pid;
        Tgid = tgid;
        Comm = comm;
        _capacity = capacity;
        _records = new TraceRecord[Math.Min(InitialRecords, capacity)];
    }

    /// <summary>The <see cref="KmemTrace"/> this buffer belongs to (its id: a thread keeps no reference to the trace itself).</summary>
    public long OwnerId { get; }

    /// <summary>The CPU number the trace prints: the order in which threads first traced.</summary>
    public int Cpu { get; }

    public int Pid { get; }

    public int Tgid { get; }

    public string Comm { get; }

    /// <summary>Events ever added, overwritten ones included (entries-written).</summary>
    public long Written { get; private set; }

    /// <summary>Entries ever added, counting a stack as an entry of its own, as ftrace does.</summary>
    public long EntriesWritten { get; private set; }

    /// <summary>Events the ring still holds.</summary>
    public int Count => (int)Math.Min(Written, _records.Length);

    /// <summary>True when events were overwritten: the trace marks where this CPU's buffer starts.</summary>
    public bool Overrun => Written > _records.Length;

    /// <summary>Adds an event; only the owning thread calls this.</summary>
    public ref TraceRecord Add(bool withStack)
    {
        int i = _next;
        if ((uint)i >= (uint)_records.Length)
        {
            i = Wrap();
        }

        _next = i + 1;
        Written++;
        EntriesWritten += withStack ? 2 : 1;
        return ref _records[i];
    }

    /// <summary>The held event <paramref name="index"/>, oldest first.</summary>
    public ref readonly TraceRecord Get(int index)
    {
        int start = Overrun ? _next : 0;
        int i = start + index;
        return ref _records[i >= _records.Length ? i - _records.Length : i];
    }

    /// <summary>The ring is at its end: grow it while below capacity, else go round to overwrite the oldest.</summary>
    private int Wrap()
    {
        int length = _records.Length;
        if (length < _capacity)
        {
            Array.Resize(ref _records, (int)Math.Min((long)length * 2, _capacity));
            return length;
        }

        return 0;
    }
}
