using System.Globalization;

namespace PageExt.Formatting;

/// <summary>Sizes in the units people read: B, KiB, MiB, GiB, TiB.</summary>
public static class ByteSize
{
    private static readonly string[] s_units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];

    /// <summary>The largest unit that shows the size exactly in at most three decimals ("16 TiB", "16383.875 GiB", "4 KiB").</summary>
    public static string Format(long bytes)
    {
        if (bytes < 0)
        {
            return "-" + Format(-bytes);
        }

        for (int unit = s_units.Length - 1; unit > 0; unit--)
        {
            decimal value = (decimal)bytes / (1L << (10 * unit));
            if (value >= 1 && decimal.Round(value, 3) == value)
            {
                return value.ToString("0.###", CultureInfo.InvariantCulture) + " " + s_units[unit];
            }
        }

        return bytes.ToString(CultureInfo.InvariantCulture) + " B";
    }
}
