using PageExt.Physical;

namespace PageExt.PageExtension;

/// <summary>
/// Where page_ext tables come from: alloc_pages_exact_nid() from the machine's own memory, falling
/// back to vzalloc (native memory outside the machine). Kept behind an interface so a failing
/// source can be injected to exercise hotplug rollback.
/// </summary>
internal interface IPageExtTableSource
{
    /// <summary>A zeroed table of <paramref name="bytes"/> for <paramref name="section"/>, or false.</summary>
    bool TryAllocate(MemorySection section, long bytes, out PageExtTable table);

    void Free(PageExtTable table);
}

/// <summary>One section's table: its memory and where it came from.</summary>
internal readonly record struct PageExtTable(nint Address, long Bytes, Pfn BuddyPfn, int BuddyPages)
{
    public bool FromBuddy => BuddyPages > 0;
}
