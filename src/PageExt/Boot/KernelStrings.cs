using System.Globalization;

namespace PageExt.Boot;

/// <summary>
/// The kernel's string-to-value helpers that boot parameters use (lib/kstrtox.c kstrtobool and
/// kstrtoul, lib/cmdline.c memparse), with the kernel's exact acceptance rules so a command line
/// means the same here as on a real machine. All parsing is ordinal and culture-invariant.
/// </summary>
public static class KernelStrings
{
    /// <summary>
    /// kstrtobool(): only the first character is examined, or the first two for "o…".
    /// y/Y/1/t/T are true; n/N/0/f/F are false; "on"/"oN"/"On"/"ON" true, "of…" false. Anything else,
    /// including "" and a lone "o", is invalid, while "yellow" is true and "0xyz" is false.
    /// </summary>
    public static bool TryParseBool(ReadOnlySpan<char> text, out bool value)
    {
        value = false;
        if (text.IsEmpty)
        {
            return false;
        }

        switch (text[0])
        {
            case 'y' or 'Y' or 't' or 'T' or '1':
                value = true;
                return true;
            case 'n' or 'N' or 'f' or 'F' or '0':
                return true;
            case 'o' or 'O' when text.Length > 1:
                switch (text[1])
                {
                    case 'n' or 'N':
                        value = true;
                        return true;
                    case 'f' or 'F':
                        return true;
                }

                return false;
            default:
                return false;
        }
    }

    /// <summary>
    /// kstrtoul(s, 10): an optional '+', then one or more decimal digits, then an optional single
    /// trailing newline (the kernel accepts one for sysfs writes). No sign '-', no spaces.
    /// </summary>
    public static bool TryParseDecimal(ReadOnlySpan<char> text, out ulong value) =>
        ParseDecimal(text, out value) == NumberStatus.Ok;

    /// <summary>
    /// memparse(): simple_strtoull with base 0 (a "0x" prefix means hex, a leading "0" octal, else
    /// decimal), then at most one suffix K, M, G, T, P or E (either case) multiplying by 2^10 … 2^60.
    /// Stricter than the kernel: trailing characters after the suffix, and overflow, are rejected
    /// rather than silently ignored or wrapped.
    /// </summary>
    public static bool TryParseSize(ReadOnlySpan<char> text, out ulong bytes) =>
        ParseSize(text, out bytes) == NumberStatus.Ok;

    /// <summary>
    /// Formats a byte count the way a command line would spell it: the largest of K, M, G, T, P, E
    /// that divides it exactly (so 67108864 prints as 64M), else plain decimal. Round-trips through
    /// <see cref="TryParseSize"/>.
    /// </summary>
    public static string FormatSize(ulong bytes)
    {
        const string suffixes = "KMGTPE";
        if (bytes == 0)
        {
            return "0";
        }

        int shift = 0;
        while (shift < 60 && (bytes & ((1UL << (shift + 10)) - 1)) == 0)
        {
            shift += 10;
        }

        return shift == 0
            ? bytes.ToString(CultureInfo.InvariantCulture)
            : (bytes >> shift).ToString(CultureInfo.InvariantCulture) + suffixes[(shift / 10) - 1];
    }

    internal enum NumberStatus
    {
        Ok,
        Invalid,
        Overflow,
    }

    internal static NumberStatus ParseDecimal(ReadOnlySpan<char> text, out ulong value)
    {
        value = 0;
        if (text.Length > 0 && text[^1] == '\n')
        {
            text = text[..^1];
        }

        if (text.Length > 0 && text[0] == '+')
        {
            text = text[1..];
        }

        if (text.IsEmpty)
        {
            return NumberStatus.Invalid;
        }

        foreach (char c in text)
        {
            if (!char.IsAsciiDigit(c))
            {
                return NumberStatus.Invalid;
            }
        }

        foreach (char c in text)
        {
            ulong digit = (ulong)(c - '0');
            if (value > (ulong.MaxValue - digit) / 10)
            {
                value = 0;
                return NumberStatus.Overflow;
            }

            value = (value * 10) + digit;
        }

        return NumberStatus.Ok;
    }

    internal static NumberStatus ParseSize(ReadOnlySpan<char> text, out ulong bytes)
    {
        bytes = 0;
        int numberBase = 10;
        int i = 0;
        if (text.Length >= 2 && text[0] == '0' && (text[1] is 'x' or 'X'))
        {
            numberBase = 16;
            i = 2;
        }
        else if (text.Length >= 1 && text[0] == '0')
        {
            numberBase = 8;
        }

        int digitsStart = i;
        ulong value = 0;
        bool overflow = false;
        for (; i < text.Length; i++)
        {
            int digit = DigitValue(text[i]);
            if (digit < 0 || digit >= numberBase)
            {
                break;
            }

            if (value > (ulong.MaxValue - (ulong)digit) / (ulong)numberBase)
            {
                overflow = true;
            }

            value = unchecked((value * (ulong)numberBase) + (ulong)digit);
        }

        if (i == digitsStart)
        {
            return NumberStatus.Invalid;
        }

        int shift = 0;
        if (i < text.Length)
        {
            shift = char.ToUpperInvariant(text[i]) switch
            {
                'K' => 10,
                'M' => 20,
                'G' => 30,
                'T' => 40,
                'P' => 50,
                'E' => 60,
                _ => -1,
            };
            if (shift < 0 || i + 1 != text.Length)
            {
                return NumberStatus.Invalid;
            }
        }

        if (overflow || (shift > 0 && value > (ulong.MaxValue >> shift)))
        {
            return NumberStatus.Overflow;
        }

        bytes = value << shift;
        return NumberStatus.Ok;
    }

    private static int DigitValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => -1,
    };
}
