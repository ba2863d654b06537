namespace PageExt.Analysis.Sort;

/// <summary>
/// One group of records that the cull comparator calls equal. page_owner_sort keeps the first record
/// of each run after its (stable) cull sort and adds the others' counts to it: so the group keeps the
/// text, pid, tgid, comm, timestamps and allocator of its first record in input order.
/// </summary>
internal struct SortGroup
{
    public ulong Hash;

    /// <summary>The bytes the group is found by: the stored text, or the culled fields.</summary>
    public ArenaSlice Key;

    /// <summary>The first record's text as page_owner_sort stores it (PFN lines out, ts digits cut).</summary>
    public ArenaSlice Text;

    public ArenaSlice Comm;

    /// <summary>Records in the group; printed as a C int.</summary>
    public long Count;

    /// <summary>Sum of 2^order over the group's records; printed as a C int.</summary>
    public long Pages;

    public int Pid;
    public int Tgid;
    public int Allocator;
    public ulong TimestampNs;
    public ulong FreeTimestampNs;

    /// <summary>Line of the first record (chunk-relative inside a chunk table, absolute once merged).</summary>
    public long FirstLine;
}
