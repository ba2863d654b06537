namespace PageExt.Analysis.Pictures;

/// <summary>
/// A stack's name in the tables: its innermost frame outside the page allocator, which is the
/// caller a reader is looking for (every stack starts in post_alloc_hook and __alloc_pages).
/// </summary>
internal static class StackLabel
{
    private static readonly string[] s_allocatorPrefixes =
    [
        "post_alloc_hook", "prep_new_page", "get_page_from_freelist", "__alloc_pages", "alloc_pages",
        "__alloc_frozen_pages", "alloc_frozen_pages", "__folio_alloc", "folio_alloc", "alloc_pages_mpol",
        "__get_free_pages", "__alloc_pages_nodemask", "alloc_pages_current", "alloc_pages_vma",
        "PageExt.Buddy.", "PageExt.Machine.", "PageExt.PageOwner.",
    ];

    /// <param name="outermostFirst">The stack's functions, outermost first.</param>
    public static string Caller(IReadOnlyList<string> outermostFirst)
    {
        for (int i = outermostFirst.Count - 1; i >= 0; i--)
        {
            string name = outermostFirst[i];
            if (!s_allocatorPrefixes.Any(p => name.StartsWith(p, StringComparison.Ordinal)))
            {
                return name;
            }
        }

        return outermostFirst.Count > 0 ? outermostFirst[0] : FlameTree.NoStack;
    }
}
