using System.Buffers.Text;
using PageExt.Analysis.Dump;

namespace PageExt.Analysis.Sort;

/// <summary>
/// One chunk's records for a sort by allocation time: each record becomes a <see cref="TimestampKey"/>
/// whose pieces are numbered in the chunk's own <see cref="PieceTable"/>; <see cref="TimestampSort"/>
/// renumbers them into its global table, in input order, on one thread.
/// </summary>
internal sealed class TimestampChunkSink : IRecordSink
{
    private readonly SortOptions _options;
    private TimestampKey[] _keys = new TimestampKey[4096];

    public TimestampChunkSink(SortOptions options)
    {
        _options = options;
    }

    public PieceTable Pieces { get; } = new(segmentBytes: 1 << 20);

    public ReadOnlySpan<TimestampKey> Keys => _keys.AsSpan(0, Count);

    public int Count { get; private set; }

    public void Reset()
    {
        Pieces.Reset();
        Count = 0;
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public void Accept(in RawRecord record, List<DumpDiagnostic> diagnostics)
    {
        if (!RecordFields.TryRead(_options, in record, diagnostics, out var fields))
        {
            return;
        }

        var text = record.Text;
        var ts = fields.Timestamp;
        bool digits = ts.Found && IsPlainDecimal(text[ts.Start..ts.End], fields.TimestampNs);
        int split = digits ? ts.Start : ts.Found ? ts.End : text.Length;
        var head = text[..split];
        var tail = text[(digits ? ts.End : split)..];
        int headId = Pieces.Intern(head, ByteHash.Hash(head));
        int tailId = Pieces.Intern(tail, ByteHash.Hash(tail));
        if (Count == _keys.Length)
        {
            Array.Resize(ref _keys, Count * 2);
        }

        int allocator = KernelFields.Allocator(text, record.PfnAllocator);
        _keys[Count] = new TimestampKey(fields.TimestampNs, (uint)Count, headId, tailId, fields.Pages, allocator, digits);
        Count++;
    }

    /// <summary>Whether <paramref name="digits"/> are what printing <paramref name="value"/> in decimal gives.</summary>
    public static bool IsPlainDecimal(ReadOnlySpan<byte> digits, ulong value)
    {
        Span<byte> printed = stackalloc byte[20];
        return digits.Length > 0 && Utf8Formatter.TryFormat(value, printed, out int n) && digits.SequenceEqual(printed[..n]);
    }
}
