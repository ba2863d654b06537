using System.Text.RegularExpressions;

namespace PageExt.Analysis.Dmesg;

/// <summary>
/// One kernel log line without the prefixes that logging adds in front of printk's text: the raw
/// syslog priority (<c>&lt;4&gt;</c>, `dmesg -r`), `dmesg -x`'s <c>kern  :warn  : </c>, a syslog or
/// journalctl <c>Nov 27 18:10:28 host kernel: </c>, the printk time <c>[  123.456789]</c>, the
/// CONFIG_PRINTK_CALLER id <c>[ T123]</c>/<c>[  C1]</c> and Android's <c>[3:  Binder:9343_3:22875]</c>.
/// </summary>
/// <remarks>
/// Every prefix is optional and matched by shape, not by column: published logs lose a space
/// (<c>[  80.947665]</c> where its neighbours have three). After the last prefix exactly one space
/// is the prefix's; a stack frame keeps its own leading space, which is how page_owner's frames are
/// told from the lines around them (kmem-trace-and-reports.md §5.4).
/// </remarks>
internal static partial class DmesgLine
{
    /// <summary>Splits <paramref name="line"/> into its message and the caller that printed it (empty when the log has no caller ids).</summary>
    public static string Message(string line, out string caller)
    {
        caller = "";
        var match = Prefix().Match(line);
        if (!match.Success || match.Length == 0)
        {
            return line;
        }

        if (match.Groups["task"].Success)
        {
            caller = match.Groups["task"].Value;
        }
        else if (match.Groups["android"].Success)
        {
            caller = match.Groups["android"].Value.Trim();
        }

        int end = match.Length;
        if (line[end - 1] == ']' && end < line.Length && line[end] == ' ')
        {
            end++;
        }

        return line[end..];
    }

    /// <summary>True when the line carries a printk time or a syslog "kernel:" prefix: a kernel log rather than another text.</summary>
    public static bool HasLogPrefix(string line)
    {
        var match = Prefix().Match(line);
        return match.Success && (match.Groups["time"].Success || match.Groups["syslog"].Success);
    }

    [GeneratedRegex(
        @"^(?:<\d{1,3}>)?"
        + @"(?:[a-z]{2,8} *:[a-z]{2,8} *: ?)?"
        + @"(?<syslog>(?:[A-Z][a-z]{2} +\d{1,2} \d\d:\d\d:\d\d|\d{4}-\d\d-\d\d[T ][0-9:.,+\-]+Z?) \S+ kernel: ?)?"
        + @"(?<time>\[ *\d+\.\d+\])?"
        + @"(?:\[ *(?<task>[TC]\d+)\])?"
        + @"(?: *\[(?<android> *\d+: *[^\]]*:-?\d+)\])?",
        RegexOptions.CultureInvariant)]
    private static partial Regex Prefix();
}
