using PageExt.Analysis.Dump;

namespace PageExt.Analysis.Sort;

/// <summary>
/// The fields page_owner_sort reads from one record, and its --pid/--tgid/--name and -f filters:
/// one place for every sink that groups records, so that all of them keep, drop and report the same
/// records.
/// </summary>
internal ref struct RecordFields
{
    /// <summary>Where the ts digits are in the text (page_owner_sort cuts them out unless sorting by ts).</summary>
    public KernelFields.Capture Timestamp;
    public ulong TimestampNs;
    public ulong FreeTimestampNs;
    public int Pid;
    public int Tgid;

    /// <summary>Where the comm is, read only when a key or filter needs it (<see cref="CommPerRecord"/>).</summary>
    public KernelFields.Capture Comm;
    public bool CommPerRecord;
    public int Pages;

    /// <summary>
    /// Reads the fields and applies the filters. False when a filter drops the record; otherwise
    /// the record's unusable order and out-of-range numbers are reported at its line.
    /// </summary>
    public static bool TryRead(SortOptions options, in RawRecord record, List<DumpDiagnostic> diagnostics, out RecordFields fields)
    {
        fields = default;
        var text = record.Text;
        bool v66 = options.Compat == CompatMode.V6_6;
        fields.Timestamp = KernelFields.FindTimestamp(text, requireComma: v66);
        fields.TimestampNs = KernelFields.ParseTimestamp(text, fields.Timestamp, out bool tsOutOfRange);
        if (v66)
        {
            fields.FreeTimestampNs = KernelFields.ParseTimestamp(text, KernelFields.FindFreeTimestamp(text), out _);
            if (options.OnlyUnreleased && fields.FreeTimestampNs != 0 && fields.TimestampNs < fields.FreeTimestampNs)
            {
                return false;
            }
        }

        fields.Pid = KernelFields.ParsePid(text, KernelFields.FindPid(text), out bool pidOutOfRange);
        if (options.Pids is { } pids && !pids.Contains(fields.Pid))
        {
            return false;
        }

        fields.Tgid = KernelFields.ParsePid(text, KernelFields.FindTgid(text), out bool tgidOutOfRange);
        if (options.Tgids is { } tgids && !tgids.Contains(fields.Tgid))
        {
            return false;
        }

        // Comm matters per record only when it is part of the key or a filter; otherwise it is
        // taken from the group's first record alone.
        fields.CommPerRecord = options.Comms is not null || (options.Cull & CullKeys.Comm) != 0;
        fields.Comm = fields.CommPerRecord ? KernelFields.FindComm(text) : KernelFields.Capture.None;
        if (options.Comms is { } comms && !ContainsName(comms, Slice(text, fields.Comm)))
        {
            return false;
        }

        fields.Pages = RecordOrder.Pages(text, record.Line, diagnostics);
        if (tsOutOfRange | pidOutOfRange | tgidOutOfRange)
        {
            ReportOutOfRange(record.Line, diagnostics, tsOutOfRange, pidOutOfRange, tgidOutOfRange);
        }

        return true;
    }

    public static ReadOnlySpan<byte> CommOf(ReadOnlySpan<byte> text) => Slice(text, KernelFields.FindComm(text));

    /// <summary>The captured bytes; empty when the pattern did not match.</summary>
    public static ReadOnlySpan<byte> Slice(ReadOnlySpan<byte> text, KernelFields.Capture capture) =>
        capture.Found ? text[capture.Start..capture.End] : [];

    private static bool ContainsName(IReadOnlyList<byte[]> names, ReadOnlySpan<byte> comm)
    {
        foreach (var name in names)
        {
            if (comm.SequenceEqual(name))
            {
                return true;
            }
        }

        return false;
    }

    private static void ReportOutOfRange(long line, List<DumpDiagnostic> diagnostics, bool ts, bool pid, bool tgid)
    {
        var fields = new List<string>(3);
        if (pid)
        {
            fields.Add("pid (-1, or truncated to 32 bits)");
        }

        if (tgid)
        {
            fields.Add("tgid (-1, or truncated to 32 bits)");
        }

        if (ts)
        {
            fields.Add("ts (UINT64_MAX)");
        }

        diagnostics.Add(new DumpDiagnostic(line, DiagnosticKind.NumberOutOfRange,
            "out-of-range " + string.Join(", ", fields) + "; read as page_owner_sort reads it, record kept"));
    }
}
