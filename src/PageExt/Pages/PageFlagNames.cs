using System.Globalization;
using System.Text;
using PageExt.Formatting;

namespace PageExt.Pages;

/// <summary>
/// <c>%pGp</c> (lib/vsprintf.c format_page_flags, v5.14+): the whole flags word in hex, then in
/// parentheses the set flags by name in the kernel's <c>__def_pageflag_names</c> order, then the
/// fields packed in the high bits (<c>node=%d|zone=%d</c>, see <see cref="PageFlagsLayout"/>), e.g.
/// <c>0x200(workingset|node=0|zone=0)</c>. The table order, not bit order, decides the print order.
/// </summary>
public static class PageFlagNames
{
    /// <summary>NR_PAGEFLAGS for this layout: bits 0 .. HwPoison are page flags proper.</summary>
    public const int FlagCount = 22;

    /// <summary>PAGEFLAGS_MASK: only these bits are named; the rest up to the fields are not printed.</summary>
    public const ulong MainFlagsMask = (1UL << FlagCount) - 1;

    private static readonly (PageFlags Flag, string Name)[] s_table =
    [
        (PageFlags.Locked, "locked"),
        (PageFlags.Waiters, "waiters"),
        (PageFlags.Referenced, "referenced"),
        (PageFlags.Uptodate, "uptodate"),
        (PageFlags.Dirty, "dirty"),
        (PageFlags.Lru, "lru"),
        (PageFlags.Active, "active"),
        (PageFlags.Workingset, "workingset"),
        (PageFlags.OwnerPriv1, "owner_priv_1"),
        (PageFlags.Owner2, "owner_2"),
        (PageFlags.Arch1, "arch_1"),
        (PageFlags.Reserved, "reserved"),
        (PageFlags.Private, "private"),
        (PageFlags.Private2, "private_2"),
        (PageFlags.Writeback, "writeback"),
        (PageFlags.Head, "head"),
        (PageFlags.Reclaim, "reclaim"),
        (PageFlags.SwapBacked, "swapbacked"),
        (PageFlags.Unevictable, "unevictable"),
        (PageFlags.DropBehind, "dropbehind"),
        (PageFlags.Mlocked, "mlocked"),
        (PageFlags.HwPoison, "hwpoison"),
    ];

    private static readonly FlagName[] s_names = [.. s_table.Select(e => new FlagName((ulong)e.Flag, e.Name))];

    /// <summary>The name table in printing order.</summary>
    public static IEnumerable<(PageFlags Flag, string Name)> Table => s_table;

    /// <summary><c>%pGp</c> of a whole flags word (flags plus node and zone bits).</summary>
    public static string Format(ulong flagsWord)
    {
        var sb = new StringBuilder();
        Append(sb, flagsWord);
        return sb.ToString();
    }

    /// <summary><c>%pGp</c> of flags on a given node and zone.</summary>
    public static string Format(PageFlags flags, int node, int zone) =>
        Format(((ulong)flags & PageFlagsLayout.FlagsMask) | PageFlagsLayout.Pack(node, zone));

    /// <summary>Only the flag names, '|'-separated (format_flags over the page flag table); "" for none.</summary>
    public static string FormatNames(PageFlags flags)
    {
        var sb = new StringBuilder();
        AppendNames(sb, (ulong)flags & MainFlagsMask);
        return sb.ToString();
    }

    public static void Append(StringBuilder sb, ulong flagsWord)
    {
        sb.Append("0x").Append(flagsWord.ToString("x", CultureInfo.InvariantCulture)).Append('(');
        ulong main = flagsWord & MainFlagsMask;
        bool append = false;
        if (main != 0)
        {
            AppendNames(sb, main);
            append = true;
        }

        if (append)
        {
            sb.Append('|');
        }

        sb.Append("node=").Append(PageFlagsLayout.Node(flagsWord).ToString(CultureInfo.InvariantCulture));
        sb.Append("|zone=").Append(PageFlagsLayout.Zone(flagsWord).ToString(CultureInfo.InvariantCulture));
        sb.Append(')');
    }

    private static void AppendNames(StringBuilder sb, ulong flags) => FlagNames.Append(sb, flags, s_names);
}
