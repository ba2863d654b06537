using System.Globalization;
using System.Text;

namespace PageExt.Formatting;

/// <summary>One row of a flag-name table: the bits it names and how the kernel spells them.</summary>
internal readonly record struct FlagName(ulong Mask, string Name);

/// <summary>
/// format_flags() of lib/vsprintf.c, the one printer behind <c>%pGg</c> (gfp masks) and
/// <c>%pGp</c> (page flags): walk the table in its order; an entry whose bits are all still set is
/// printed and its bits cleared, so a composite absorbs its parts; '|' between names; the bits no
/// entry named follow as one hex number.
/// </summary>
internal static class FlagNames
{
    public static void Append(StringBuilder sb, ulong flags, ReadOnlySpan<FlagName> table)
    {
        foreach (var (mask, name) in table)
        {
            if (flags == 0)
            {
                break;
            }

            if ((flags & mask) != mask)
            {
                continue;
            }

            sb.Append(name);
            flags &= ~mask;
            if (flags != 0)
            {
                sb.Append('|');
            }
        }

        if (flags != 0)
        {
            sb.Append("0x").Append(flags.ToString("x", CultureInfo.InvariantCulture));
        }
    }
}
