namespace PageExt.Analysis.Trace;

/// <summary>
/// One mm_page_alloc_extfrag event with the pageblock's type before and after it: a fallback
/// (__rmqueue_fallback served an allocation from another type's free list), and, when
/// change_ownership is 1, the pageblock changing hands. Migratetypes are the trace's numbers;
/// <see cref="TraceMigrateTypes"/> names them.
/// </summary>
internal readonly record struct ExtfragEvent(
    long Line,
    long TimestampNs,
    bool HasTimestamp,
    ulong Pfn,
    int PageblockOrder,
    int AllocOrder,
    int FallbackOrder,
    int AllocMigratetype,
    int FallbackMigratetype,
    bool ChangeOwnership,
    int BlockTypeBefore,
    int BlockTypeAfter)
{
    public ulong Pageblock => Pfn >> PageblockOrder;

    /// <summary>fallback_order &lt; pageblock_order: the steal leaves a mixed block (the kernel's "fragmenting").</summary>
    public bool Fragmenting => FallbackOrder < PageblockOrder;
}

/// <summary>Where the replay hands each extfrag event, in trace order.</summary>
internal interface IExtfragSink
{
    void Add(in ExtfragEvent fallback);
}
