namespace PageExt.Analysis.Trace;

/// <summary>
/// Who holds one tracked block: what page_owner's struct page_owner would hold, rebuilt from the
/// mm_page_alloc event (and the stack after it). Strings are <see cref="ByteInterner"/> ids, so a
/// tracked block costs 48 bytes plus its dictionary slot.
/// </summary>
internal struct TracedOwner
{
    public int Order;

    /// <summary>The event's migratetype number (see <see cref="TraceMigrateTypes"/>), -1 when not printed.</summary>
    public int Migratetype;

    /// <summary>Interned gfp_flags text, -1 when the line had none.</summary>
    public int GfpId;

    public int CommId;

    public int Pid;

    public int Tgid;

    /// <summary>Interned stack (the dump's frame lines), -1 until a stack is attached.</summary>
    public int StackId;

    public long TimestampNs;

    /// <summary>The allocating event's sequence number: a stack attaches only to the event it followed.</summary>
    public long Sequence;
}
