using PageExt.Pages;

namespace PageExt.PageOwner;

/// <summary>
/// The 2014 record's flag columns (mm/page_owner.c in 3.19, print_page_owner): after "Flags " come
/// exactly twelve characters, K E R U D L A S W C B M, each the letter when the flag is set and a
/// space otherwise, so the line always ends with twelve columns (often trailing spaces).
/// </summary>
public static class SeedFlagColumns
{
    /// <summary>The column letters, in order (index i is bit i of <see cref="SeedPageFlags"/>).</summary>
    public const string Letters = "KERUDLASWCBM";

    public const int Count = 12;

    /// <summary>The twelve columns, e.g. "  RU LA     " for Referenced|Uptodate|Lru|Active.</summary>
    public static string Format(SeedPageFlags flags) =>
        string.Create(Count, flags, static (span, f) =>
        {
            for (int i = 0; i < Count; i++)
            {
                span[i] = ((int)f & (1 << i)) != 0 ? Letters[i] : ' ';
            }
        });

    /// <summary>Reads twelve columns back; every column must be blank or its own letter.</summary>
    public static bool TryParse(ReadOnlySpan<char> columns, out SeedPageFlags flags)
    {
        flags = SeedPageFlags.None;
        if (columns.Length != Count)
        {
            return false;
        }

        for (int i = 0; i < Count; i++)
        {
            if (columns[i] == Letters[i])
            {
                flags |= (SeedPageFlags)(1 << i);
            }
            else if (columns[i] != ' ')
            {
                flags = SeedPageFlags.None;
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// The seed columns a modern page would show. Compound is the head flag; Slab comes from the
    /// caller (it is a page type now); Error, SwapCache and MappedToDisk have no modern bit and stay
    /// blank.
    /// </summary>
    public static SeedPageFlags FromPageFlags(PageFlags flags, bool slab = false)
    {
        var seed = slab ? SeedPageFlags.Slab : SeedPageFlags.None;
        foreach (var (modern, column) in s_modernColumns)
        {
            if ((flags & modern) != 0)
            {
                seed |= column;
            }
        }

        return seed;
    }

    /// <summary>The seed columns that still have a page flag of their own.</summary>
    private static readonly (PageFlags Modern, SeedPageFlags Column)[] s_modernColumns =
    [
        (PageFlags.Locked, SeedPageFlags.Locked),
        (PageFlags.Referenced, SeedPageFlags.Referenced),
        (PageFlags.Uptodate, SeedPageFlags.Uptodate),
        (PageFlags.Dirty, SeedPageFlags.Dirty),
        (PageFlags.Lru, SeedPageFlags.Lru),
        (PageFlags.Active, SeedPageFlags.Active),
        (PageFlags.Writeback, SeedPageFlags.Writeback),
        (PageFlags.Head, SeedPageFlags.Compound),
    ];
}
