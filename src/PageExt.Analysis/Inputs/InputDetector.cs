using System.Text;
using System.Text.RegularExpressions;
using PageExt.Analysis.Dmesg;
using PageExt.Analysis.Text;

namespace PageExt.Analysis.Inputs;

/// <summary>
/// Tells what kernel text an input is from its first <see cref="HeadBytes"/>, by the lines only that
/// text prints, so a file's name never matters. A page_owner record line wins over everything (a dump
/// is what every command reads); then the markers of page_owner_stacks, quic/crash-plugins'
/// pageowner output and the /proc files, whose lines are distinctive; then a kernel log, known by a page_owner report line or by log prefixes on
/// most of its lines (a dmesg's first report may be far from its start).
/// </summary>
internal static partial class InputDetector
{
    public const int HeadBytes = 256 * 1024;

    public static InputKind Detect(ReadOnlySpan<byte> head)
    {
        string text = Encoding.Latin1.GetString(head);
        int lines = 0;
        int logLines = 0;
        bool stacks = false, pagetype = false, buddy = false, zone = false, kernel = false, crash = false;
        foreach (var range in text.AsSpan().EnumerateLines())
        {
            string line = range.ToString();
            if (line.StartsWith("Page allocated via order", StringComparison.Ordinal))
            {
                return InputKind.PageOwnerDump;
            }

            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            if (SortOutput.SortOutputReader.IsGroupHeader(line))
            {
                return InputKind.SortOutput;
            }

            lines++;
            if (DmesgLine.HasLogPrefix(line))
            {
                logLines++;
            }

            string message = DmesgLine.Message(line, out _);
            kernel |= KernelLogLine().IsMatch(message);
            stacks |= StacksLine().IsMatch(line);
            pagetype |= line.StartsWith("Page block order:", StringComparison.Ordinal) || line.StartsWith("Free pages count per migrate type at order", StringComparison.Ordinal);
            buddy |= BuddyLine().IsMatch(line);
            zone |= line.StartsWith("  per-node stats", StringComparison.Ordinal) || ZoneInfoLine().IsMatch(line);
            crash |= Crash.CrashPageOwnerReader.IsMarker(line);
        }

        return crash ? InputKind.CrashPageOwner
            : kernel ? InputKind.KernelLog
            : stacks ? InputKind.PageOwnerStacks
            : pagetype ? InputKind.PageTypeInfo
            : zone ? InputKind.ZoneInfo
            : buddy ? InputKind.BuddyInfo
            : lines > 0 && logLines * 2 > lines ? InputKind.KernelLog
            : InputKind.Unknown;
    }

    [GeneratedRegex(@"^(?:page (?:last )?allocated via order |page_owner tracks the page as |page_owner info is not |page last free .*stack trace:|page dumped because: |BUG: Bad page state|BUG: KASAN: |pagealloc: (?:memory corruption|single bit error)|allocated \d+ bytes of page_ext|Node \d+, zone +\S+: page owner found early allocated|\S.*: page allocation failure: order:)")]
    private static partial Regex KernelLogLine();

    [GeneratedRegex(@"^(?:nr_base_pages: \d+|handle: \d+)\s*$")]
    private static partial Regex StacksLine();

    [GeneratedRegex(@"^Node +\d+, zone +\S+( +\d+)+\s*$")]
    private static partial Regex BuddyLine();

    [GeneratedRegex(@"^Node \d+, zone +\S+\s*$")]
    private static partial Regex ZoneInfoLine();
}
