using System.Globalization;
using System.Text;
using PageExt.Formatting;

namespace PageExt.Buddy;

/// <summary>
/// <c>%pGg</c>: gfp masks as the kernel prints them (lib/vsprintf.c format_flags over
/// <c>__def_gfpflag_names</c>), and the reverse for tools that read dumps.
/// <para>
/// The name table is the one kernels up to ≈v6.12 use: composites first, most specific first, then
/// single bits in the historical order. (v6.13+ lists single bits in bit order instead, so the same
/// mask can print differently; the parser accepts either.) Printing walks the table; an entry whose
/// bits are all still present is printed and its bits cleared, so composites absorb their parts.
/// Bits no entry covers print as one trailing hex number.
/// </para>
/// </summary>
public static class GfpFlagNames
{
    private static readonly (GfpFlags Mask, string Name)[] s_table =
    [
        (GfpFlags.TransHuge, "GFP_TRANSHUGE"),
        (GfpFlags.TransHugeLight, "GFP_TRANSHUGE_LIGHT"),
        (GfpFlags.HighUserMovable, "GFP_HIGHUSER_MOVABLE"),
        (GfpFlags.HighUser, "GFP_HIGHUSER"),
        (GfpFlags.User, "GFP_USER"),
        (GfpFlags.KernelAccount, "GFP_KERNEL_ACCOUNT"),
        (GfpFlags.Kernel, "GFP_KERNEL"),
        (GfpFlags.NoFs, "GFP_NOFS"),
        (GfpFlags.Atomic, "GFP_ATOMIC"),
        (GfpFlags.NoIo, "GFP_NOIO"),
        (GfpFlags.NoWait, "GFP_NOWAIT"),
        (GfpFlags.Dma, "GFP_DMA"),
        (GfpFlags.HighMem, "__GFP_HIGHMEM"),
        (GfpFlags.Dma32, "GFP_DMA32"),
        (GfpFlags.High, "__GFP_HIGH"),
        (GfpFlags.Io, "__GFP_IO"),
        (GfpFlags.Fs, "__GFP_FS"),
        (GfpFlags.NoWarn, "__GFP_NOWARN"),
        (GfpFlags.RetryMayFail, "__GFP_RETRY_MAYFAIL"),
        (GfpFlags.NoFail, "__GFP_NOFAIL"),
        (GfpFlags.NoRetry, "__GFP_NORETRY"),
        (GfpFlags.Comp, "__GFP_COMP"),
        (GfpFlags.Zero, "__GFP_ZERO"),
        (GfpFlags.NoMemAlloc, "__GFP_NOMEMALLOC"),
        (GfpFlags.MemAlloc, "__GFP_MEMALLOC"),
        (GfpFlags.HardWall, "__GFP_HARDWALL"),
        (GfpFlags.ThisNode, "__GFP_THISNODE"),
        (GfpFlags.Reclaimable, "__GFP_RECLAIMABLE"),
        (GfpFlags.Movable, "__GFP_MOVABLE"),
        (GfpFlags.Account, "__GFP_ACCOUNT"),
        (GfpFlags.Write, "__GFP_WRITE"),
        (GfpFlags.Reclaim, "__GFP_RECLAIM"),
        (GfpFlags.DirectReclaim, "__GFP_DIRECT_RECLAIM"),
        (GfpFlags.KswapdReclaim, "__GFP_KSWAPD_RECLAIM"),
        (GfpFlags.ZeroTags, "__GFP_ZEROTAGS"),
    ];

    private static readonly FlagName[] s_names = [.. s_table.Select(e => new FlagName((uint)e.Mask, e.Name))];

    // Names a parser should also accept: the single-bit spellings of composites' parts and the
    // v6.13+ table's __GFP_DMA / __GFP_DMA32.
    private static readonly (GfpFlags Mask, string Name)[] s_aliases =
    [
        (GfpFlags.Dma, "__GFP_DMA"),
        (GfpFlags.Dma32, "__GFP_DMA32"),
    ];

    /// <summary>The name table in printing order.</summary>
    public static IEnumerable<(GfpFlags Mask, string Name)> Table => s_table;

    /// <summary><c>%pGg</c>: e.g. "GFP_KERNEL|__GFP_NOWARN"; an empty string for 0.</summary>
    public static string Format(GfpFlags gfp)
    {
        var sb = new StringBuilder();
        Append(sb, gfp);
        return sb.ToString();
    }

    /// <summary><c>%#x(%pGg)</c>, as page_owner prints a mask: "0xcc0(GFP_KERNEL)", "0x0()".</summary>
    public static string FormatWithValue(GfpFlags gfp)
    {
        var sb = new StringBuilder();
        sb.Append("0x").Append(((uint)gfp).ToString("x", CultureInfo.InvariantCulture)).Append('(');
        Append(sb, gfp);
        return sb.Append(')').ToString();
    }

    /// <summary>Appends <c>%pGg</c> of <paramref name="gfp"/> (format_flags()).</summary>
    public static void Append(StringBuilder sb, GfpFlags gfp) => FlagNames.Append(sb, (uint)gfp, s_names);

    /// <summary>
    /// Parses a '|'-separated list of names (either table order, any order) and hex numbers
    /// ("0x1000000") back to a mask. Also accepts the <c>%#x(%pGg)</c> form, in which case the names
    /// must agree with the number. An empty string is 0. Unknown names fail.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<char> text, out GfpFlags gfp)
    {
        gfp = GfpFlags.None;
        text = text.Trim();
        int open = text.IndexOf('(');
        if (open >= 0)
        {
            if (text[^1] != ')' || !TryParseHex(text[..open], out uint value) || !TryParse(text[(open + 1)..^1], out var named))
            {
                return false;
            }

            gfp = (GfpFlags)value;
            return (uint)named == value;
        }

        uint mask = 0;
        foreach (var range in text.Split('|'))
        {
            var token = text[range].Trim();
            if (token.IsEmpty)
            {
                if (text.IsEmpty)
                {
                    break;
                }

                return false;
            }

            if (token.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
            {
                if (!TryParseHex(token, out uint hex))
                {
                    return false;
                }

                mask |= hex;
                continue;
            }

            if (!TryLookup(token, out var bits))
            {
                return false;
            }

            mask |= (uint)bits;
        }

        gfp = (GfpFlags)mask;
        return true;
    }

    private static bool TryLookup(ReadOnlySpan<char> name, out GfpFlags mask)
    {
        foreach (var entry in s_table)
        {
            if (name.SequenceEqual(entry.Name))
            {
                mask = entry.Mask;
                return true;
            }
        }

        foreach (var entry in s_aliases)
        {
            if (name.SequenceEqual(entry.Name))
            {
                mask = entry.Mask;
                return true;
            }
        }

        mask = GfpFlags.None;
        return false;
    }

    private static bool TryParseHex(ReadOnlySpan<char> text, out uint value)
    {
        value = 0;
        return text.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            && uint.TryParse(text[2..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value);
    }
}
