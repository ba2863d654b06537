namespace PageExt.Analysis.Sort;

/// <summary>The keys of page_owner_sort's comparators (compare_num, compare_page_num, ...).</summary>
internal enum SortKey
{
    /// <summary>Number of records in the group (-t, the default).</summary>
    Times,

    /// <summary>Total pages, sum of 2^order (-m).</summary>
    Pages,
    Pid,
    Tgid,

    /// <summary>The task's comm (-n, name/n).</summary>
    Comm,

    /// <summary>The record text after its first line (-s, stacktrace/st).</summary>
    StackTrace,

    /// <summary>The whole stored text (txt/T).</summary>
    Text,

    /// <summary>Allocation timestamp (-a, alloc_ts/at).</summary>
    AllocTimestamp,

    /// <summary>Release timestamp (-r, free_ts/ft; 5.18-6.6 only).</summary>
    FreeTimestamp,
    Allocator,
}
