namespace PageExt.Analysis.Sort;

/// <summary>--cull keys (page_owner_sort's CULL_* bits). None means "group by the whole text".</summary>
[Flags]
internal enum CullKeys
{
    None = 0,
    Pid = 1 << 1,
    Tgid = 1 << 2,
    Comm = 1 << 3,
    StackTrace = 1 << 4,
    Allocator = 1 << 5,

    /// <summary>5.18-6.6 only: released (free_ts != 0) or not.</summary>
    Free = 1 << 6,
}
