using System.Text;
using PageExt.Physical;

namespace PageExt.DebugPageAlloc;

/// <summary>
/// Adds lines about a page to debug_pagealloc's reports, after the page's dump_page() lines, the
/// way dump_page() ends with __dump_page_owner(): page_owner plugs in here to name the page's last
/// owner and its free stack. Set it on <see cref="DebugPageAllocFeature.PageDetails"/> at boot.
/// <para>
/// Context: called on the thread that found the problem, with no allocator lock held, rarely
/// (reports are rate limited). For a corruption report the page is being allocated and belongs to
/// that thread; for a fault report the page is free and the process is about to die, so the
/// provider must only read. It may allocate managed memory. Each appended line ends with '\n'.
/// </para>
/// </summary>
public interface IPageDetailsProvider
{
    void AppendPageDetails(Pfn pfn, StringBuilder text);
}
