using PageExt.Buddy;
using PageExt.Stacks;

namespace PageExt.PageOwner;

/// <summary>What page_owner knows about one page: its last allocation and, if freed, its last free.</summary>
public sealed record PageOwnerInfo(
    bool Allocated,
    int Order,
    GfpFlags Gfp,
    int Pid,
    int Tgid,
    string Comm,
    ulong TimestampNs,
    StackHandle Handle,
    StackHandle FreeHandle,
    int FreePid,
    int FreeTgid,
    ulong FreeTimestampNs)
{
    /// <summary>True when the page was allocated before page_owner came up (the early handle).</summary>
    public bool EarlyAllocated { get; init; }
}
