using System.Runtime.InteropServices;

namespace PageExt.Analysis.Sort;

/// <summary>
/// One record of a sort by allocation time, in 20 bytes: its text is
/// <c>pieces[Head] + digits(TimestampNs) + pieces[Tail]</c>, or <c>pieces[Head] + pieces[Tail]</c>
/// when the ts digits are not the plain decimal of the stamp (leading zeros, out of range, missing),
/// in which case Head ends with the digits as written.
/// </summary>
[StructLayout(LayoutKind.Sequential, Pack = 4)]
internal readonly struct TimestampKey
{
    /// <summary>Piece numbers stop here (24 bits); a table that reaches it counts as over the budget.</summary>
    public const int MaxPieces = 1 << 24;

    private const int IdBits = 24;
    private const uint IdMask = (1u << IdBits) - 1;
    private const int DigitsFlag = 1 << 28;

    /// <summary>page_owner_sort's ts_nsec (UINT64_MAX when missing or out of range).</summary>
    public readonly ulong TimestampNs;

    /// <summary>Position in the input among the buffered records: the first of equal texts keeps the group.</summary>
    public readonly uint Sequence;

    // Head id | (order + 1, or 0 for a record counted as 0 pages) << 24.
    private readonly uint _headAndOrder;

    // Tail id | allocator bits >> 1 << 24 | DigitsFlag.
    private readonly uint _tailAndFlags;

    public TimestampKey(ulong timestampNs, uint sequence, int head, int tail, int pages, int allocator, bool digits)
    {
        TimestampNs = timestampNs;
        Sequence = sequence;
        uint order = pages == 0 ? 0u : (uint)System.Numerics.BitOperations.Log2((uint)pages) + 1;
        _headAndOrder = (uint)head | (order << IdBits);
        _tailAndFlags = (uint)tail | ((uint)(allocator >> 1) << IdBits) | (digits ? DigitsFlag : 0u);
    }

    private TimestampKey(ulong timestampNs, uint sequence, uint headAndOrder, uint tailAndFlags)
    {
        TimestampNs = timestampNs;
        Sequence = sequence;
        _headAndOrder = headAndOrder;
        _tailAndFlags = tailAndFlags;
    }

    public int Head => (int)(_headAndOrder & IdMask);

    public int Tail => (int)(_tailAndFlags & IdMask);

    /// <summary>Whether the text holds the plain decimal digits of <see cref="TimestampNs"/> between the pieces.</summary>
    public bool HasDigits => (_tailAndFlags & DigitsFlag) != 0;

    public int Pages
    {
        get
        {
            uint order = _headAndOrder >> IdBits;
            return order == 0 ? 0 : 1 << (int)(order - 1);
        }
    }

    /// <summary>KernelFields' allocator bits (CMA, SLAB, VMALLOC, OTHERS).</summary>
    public int Allocator => (int)((_tailAndFlags >> IdBits) & 0xF) << 1;

    /// <summary>The same record with its pieces renumbered and its sequence moved, as a chunk's keys join the global ones.</summary>
    public TimestampKey Renumber(int head, int tail, uint sequenceBase) => new(
        TimestampNs,
        Sequence + sequenceBase,
        (_headAndOrder & ~IdMask) | (uint)head,
        (_tailAndFlags & ~IdMask) | (uint)tail);

    /// <summary>Whether the two records' texts are the same bytes (their pieces are numbered by one table).</summary>
    public bool SameText(in TimestampKey other) =>
        _headAndOrder == other._headAndOrder && (_tailAndFlags & (IdMask | DigitsFlag)) == (other._tailAndFlags & (IdMask | DigitsFlag))
        && (!HasDigits || TimestampNs == other.TimestampNs);
}
