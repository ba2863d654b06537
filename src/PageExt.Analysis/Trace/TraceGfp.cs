using System.Globalization;
using System.Text;
using PageExt.Buddy;

namespace PageExt.Analysis.Trace;

/// <summary>
/// A gfp_flags text from a trace, as page_owner's <c>mask %#x(%pGg)</c>. The names are kept as the
/// traced kernel printed them; the number is computed from them with today's bit values
/// (<see cref="GfpFlagNames"/>), since a trace carries no number and the bit values changed many
/// times. Spellings of before v4.6 (single bits without "__": GFP_ZERO, GFP_NOWARN) and "none"
/// are read too. A text that is a bare number (user-space tools on v6.9-v6.13) is printed with
/// today's names. Names no table knows (GFP_COLD, vendor bits) keep the text but add no bits.
/// </summary>
internal readonly record struct TraceGfp(uint Mask, string Text, bool Resolved)
{
    public static TraceGfp Unknown { get; } = new(0, "", false);

    public static TraceGfp Parse(ReadOnlySpan<byte> text)
    {
        string original = Encoding.ASCII.GetString(text);
        if (original.StartsWith("0x", StringComparison.OrdinalIgnoreCase) && original.IndexOf('|', StringComparison.Ordinal) < 0
            && uint.TryParse(original.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out uint number))
        {
            return new TraceGfp(number, GfpFlagNames.Format((GfpFlags)number), true);
        }

        uint mask = 0;
        bool resolved = true;
        foreach (var part in original.Split('|'))
        {
            if (part == "none")
            {
                continue;
            }

            if (GfpFlagNames.TryParse(part, out var bits) || (part.StartsWith("GFP_", StringComparison.Ordinal) && GfpFlagNames.TryParse("__" + part, out bits)))
            {
                mask |= (uint)bits;
            }
            else
            {
                resolved = false;
            }
        }

        return new TraceGfp(mask, original, resolved);
    }
}
