using System.Globalization;
using System.Numerics;
using System.Text.RegularExpressions;
using PageExt.Analysis.Text;

namespace PageExt.Analysis.Crash;

/// <summary>
/// Reads the output of quic/crash-plugins' `pageowner` command, a crash-utility plugin that reads
/// page_owner out of an Android vmcore: a vendor format, not the kernel's, in both of its
/// generations (pageowner/pageowner.cpp):
/// <code>
/// [1/387729] ALLOC: PFN:0xbffff~0xc0000 (1 page, 4KB) Page:0xfffffffe01ffffc0 PID:68 [kswapd0] 00:09:46.363353298 (uptime)
/// page_owner:0xffffff800737ff48 PFN:0xbfffc-0xbfffd Page:0xfffffffe01ffff00  Order:0 stack_record:0xffffff805febaac0 PID:1877 ts_nsec:84522428174
///       [&lt;ffffffde2edb039c&gt;] post_alloc_hook+0x20c
/// Allocated 19147 times, Total memory: 74.79MB
/// </code>
/// </summary>
/// <remarks>
/// <para>A crash session's transcript holds prompts (<c>crash&gt; pageowner -a</c>; the plugin's
/// help writes <c>%s&gt;</c>) and other commands' output. The output of `pageowner` with -a, -f,
/// -n, -p, -P and -t is read; any other command's (`pageowner -s`'s box, `-m`'s per-process
/// table, `bt`, `log` ...) is recognised by the prompt before it and skipped whole, named in one
/// note with its line range, as the dmesg reader passes over the log lines around its reports.
/// Lines that are neither a prompt nor what these commands print (a help text's prose, a banner)
/// are skipped and named in a note per run. Notes are not warnings.</para>
/// <para>What looks like a record but does not parse (an ALLOC/FREE or "Allocated N times" line
/// whose fields are not the plugin's, a PFN range that disagrees with its page count, a frame with
/// no record before it) is a warning naming its line; the frames under a broken header go with it.</para>
/// </remarks>
internal static partial class CrashPageOwnerReader
{
    /// <summary>True for a line only this plugin prints: a record's header or a `-t` entry's.</summary>
    public static bool IsMarker(string line) => LooseRecord().IsMatch(line) || LooseOldRecord().IsMatch(line) || LooseTotal().IsMatch(line);

    public static CrashPageOwnerLog Read(Stream input, TextDiagnostics diagnostics)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(diagnostics);
        var reader = new Reader(diagnostics);
        using var lines = new TextLines(input);
        while (lines.NextText(diagnostics) is { } line)
        {
            reader.Line(lines.LineNumber, line.TrimEnd());
        }

        reader.End(lines.LineNumber);
        return reader.Log;
    }

    /// <summary>"00:09:46.363353298" or "1d 00:53:20.156": the plugin's uptime, to nanoseconds.</summary>
    public static bool TryUptimeNs(string text, out long ns)
    {
        ns = 0;
        var match = Uptime().Match(text);
        if (!match.Success)
        {
            return false;
        }

        long days = match.Groups["d"].Success ? long.Parse(match.Groups["d"].ValueSpan, CultureInfo.InvariantCulture) : 0;
        long hours = long.Parse(match.Groups["h"].ValueSpan, CultureInfo.InvariantCulture);
        long minutes = long.Parse(match.Groups["m"].ValueSpan, CultureInfo.InvariantCulture);
        long seconds = long.Parse(match.Groups["s"].ValueSpan, CultureInfo.InvariantCulture);
        string fraction = match.Groups["f"].Value.PadRight(9, '0');
        long fractionNs = long.Parse(fraction, CultureInfo.InvariantCulture);
        if (minutes > 59 || seconds > 59)
        {
            return false;
        }

        try
        {
            ns = checked((((((days * 24) + hours) * 60 + minutes) * 60 + seconds) * 1_000_000_000) + fractionNs);
            return true;
        }
        catch (OverflowException)
        {
            return false;
        }
    }

    /// <summary>The plugin's sizes ("4KB", "74.79MB", "308KB"): powers of 1024, two decimals at most.</summary>
    public static bool TrySizeBytes(string text, out long bytes)
    {
        bytes = 0;
        var match = Size().Match(text);
        if (!match.Success || !decimal.TryParse(match.Groups["value"].ValueSpan, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out decimal value))
        {
            return false;
        }

        int shift = match.Groups["unit"].Value switch { "KB" => 10, "MB" => 20, "GB" => 30, "TB" => 40, _ => 0 };
        decimal scaled = value * (1L << shift);
        if (scaled > long.MaxValue)
        {
            return false;
        }

        bytes = (long)decimal.Round(scaled);
        return true;
    }

    private sealed class Reader
    {
        private readonly TextDiagnostics _diagnostics;
        private (long Line, bool IsFree, ulong Pfn, int Order, long Pid, string? Comm, long Ts, List<string> Frames)? _page;
        private (long Line, long Times, long Bytes, List<string> Frames, List<CrashPidTotal> Pids, bool InTable)? _total;
        private bool _discardFrames;
        private (long First, long Last, string? Command)? _skipped;
        private bool _inOther;

        public Reader(TextDiagnostics diagnostics)
        {
            _diagnostics = diagnostics;
        }

        public CrashPageOwnerLog Log { get; } = new();

        public void Line(long number, string line)
        {
            if (line.Length == 0)
            {
                Finish();
                _discardFrames = false;
                if (_skipped is { Command: null })
                {
                    CloseSkipped();
                }

                return;
            }

            Match match;
            if ((match = Prompt().Match(line)).Success)
            {
                Finish();
                CloseSkipped();
                string command = match.Groups["command"].Value.Trim();
                _inOther = !IsRead(command);
                if (_inOther)
                {
                    _skipped = (number, number, command);
                }

                return;
            }

            if (_inOther)
            {
                _skipped = _skipped!.Value with { Last = number };
                return;
            }

            if ((match = Record().Match(line)).Success)
            {
                StartRecord(number, match, match.Groups["kind"].Value == "FREE", match.Groups["comm"].Value, oldFormat: false);
                return;
            }

            if ((match = OldRecord().Match(line)).Success)
            {
                StartRecord(number, match, match.Groups["free"].Success, null, oldFormat: true);
                return;
            }

            if ((match = Total().Match(line)).Success)
            {
                Finish();
                CloseSkipped();
                if (!long.TryParse(match.Groups["times"].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out long times) || !TrySizeBytes(match.Groups["size"].Value, out long bytes))
                {
                    Broken(number, $"an \"Allocated N times\" line whose count or size is out of range: '{Cut(line)}'");
                    return;
                }

                _discardFrames = false;
                _total = (number, times, bytes, [], [], false);
                return;
            }

            if (LooseRecord().IsMatch(line) || LooseOldRecord().IsMatch(line) || LooseTotal().IsMatch(line))
            {
                Broken(number, $"not a record line the pageowner plugin prints: '{Cut(line)}'");
                return;
            }

            if ((match = Frame().Match(line)).Success)
            {
                CloseSkipped();
                string frame = match.Groups["frame"].Value;
                if (_page is { } page)
                {
                    page.Frames.Add(frame);
                }
                else if (_total is { InTable: false } total)
                {
                    total.Frames.Add(frame);
                }
                else if (!_discardFrames)
                {
                    _diagnostics.Add(number, TextSeverity.Skipped, $"a stack frame with no ALLOC, FREE or \"Allocated N times\" line before it: '{Cut(line)}'");
                }

                return;
            }

            if (_total is { } entry)
            {
                if (Separator().IsMatch(line) || TableHeader().IsMatch(line))
                {
                    _total = entry with { InTable = true };
                    return;
                }

                if (entry.InTable && (match = PidRow().Match(line)).Success)
                {
                    if (long.TryParse(match.Groups["pid"].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out long pid)
                        && long.TryParse(match.Groups["times"].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out long times)
                        && TrySizeBytes(match.Groups["size"].Value, out long bytes))
                    {
                        entry.Pids.Add(new CrashPidTotal(pid, match.Groups["comm"].Value, times, bytes));
                    }
                    else
                    {
                        _diagnostics.Add(number, TextSeverity.Skipped, $"a PID row whose numbers are out of range: '{Cut(line)}'");
                    }

                    return;
                }

                if (entry.InTable && PidRowLike().IsMatch(line))
                {
                    _diagnostics.Add(number, TextSeverity.Skipped, $"not a PID row the pageowner plugin prints: '{Cut(line)}'");
                    return;
                }
            }

            Finish();
            _skipped = _skipped is { Command: null } run ? run with { Last = number } : (number, number, null);
        }

        public void End(long lastLine)
        {
            Finish();
            if (_skipped is { } run)
            {
                _skipped = run with { Last = Math.Max(run.Last, _inOther ? lastLine : run.Last) };
            }

            CloseSkipped();
        }

        /// <summary>-a, -f, -t, -n/-p/-P (one page's ALLOC and FREE records) are read; -s and -m print other shapes.</summary>
        private static bool IsRead(string command) => ReadCommand().IsMatch(command);

        private void StartRecord(long number, Match match, bool isFree, string? comm, bool oldFormat)
        {
            Finish();
            CloseSkipped();
            if (!ulong.TryParse(match.Groups["start"].ValueSpan, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out ulong start)
                || !ulong.TryParse(match.Groups["end"].ValueSpan, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out ulong end)
                || !long.TryParse(match.Groups["pid"].ValueSpan, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long pid))
            {
                Broken(number, "a PFN or PID out of range");
                return;
            }

            int order;
            long ts;
            if (oldFormat)
            {
                if (!int.TryParse(match.Groups["order"].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out order) || order > 30
                    || !long.TryParse(match.Groups["ts"].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out ts))
                {
                    Broken(number, "an order or ts_nsec out of range");
                    return;
                }
            }
            else
            {
                if (!ulong.TryParse(match.Groups["count"].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out ulong count) || count == 0 || !BitOperations.IsPow2(count) || count > 1UL << 30)
                {
                    Broken(number, $"{match.Groups["count"].Value} pages is not a block the buddy allocator hands out (a power of two)");
                    return;
                }

                order = BitOperations.Log2(count);
                if (!TryUptimeNs(match.Groups["ts"].Value, out ts))
                {
                    Broken(number, $"'{match.Groups["ts"].Value}' is not an uptime the plugin prints");
                    return;
                }
            }

            if (end <= start || end - start != 1UL << order)
            {
                Broken(number, $"PFN range 0x{start:x}~0x{end:x} does not hold the record's {1UL << order} page{(order == 0 ? "" : "s")}");
                return;
            }

            _discardFrames = false;
            _page = (number, isFree, start, order, pid, comm, ts, []);
        }

        private void Broken(long number, string detail)
        {
            Finish();
            _diagnostics.Add(number, TextSeverity.Skipped, detail + "; its frames are skipped with it");
            _discardFrames = true;
        }

        private void Finish()
        {
            if (_page is { } page)
            {
                Log.Pages.Add(new CrashPageRecord(page.Line, page.IsFree, page.Pfn, page.Order, page.Pid, page.Comm, page.Ts, page.Frames));
            }

            if (_total is { } total)
            {
                Log.Stacks.Add(new CrashStackTotal(total.Line, total.Times, total.Bytes, total.Frames, total.Pids));
            }

            _page = null;
            _total = null;
        }

        private void CloseSkipped()
        {
            if (_skipped is not { } run)
            {
                return;
            }

            string through = run.First == run.Last ? "" : $" (through line {run.Last})";
            _diagnostics.Add(run.First, TextSeverity.Note, run.Command is { } command
                ? $"the output of `{command}`{through}, which pageext does not read; skipped"
                : $"not pageowner output{through} (another command's, or the session's own text); skipped");
            _skipped = null;
        }
    }

    private static string Cut(string line) => line.Length <= 80 ? line.Trim() : line.Trim()[..Math.Min(77, line.Trim().Length)] + "...";

    /// <summary>A crash prompt ("crash&gt; ", "crash64&gt; ") or the help text's "%s&gt; ".</summary>
    [GeneratedRegex(@"^\s*(?:crash\w*|%s)> (?<command>\S.*)$")]
    private static partial Regex Prompt();

    [GeneratedRegex(@"^\s*\[\d+/\d+\] (?<kind>ALLOC|FREE): PFN:0x(?<start>[0-9a-f]+)~0x(?<end>[0-9a-f]+) \((?<count>\d+) pages?, \d+(?:\.\d+)?(?:B|KB|MB|GB|TB)\) Page:0x[0-9a-f]+ PID:(?<pid>-?\d+) \[(?<comm>[^\]]*)\] (?<ts>(?:\d+d )?\d+:\d+:\d+\.\d+) \(uptime\)$")]
    private static partial Regex Record();

    [GeneratedRegex(@"^\s*\[\d+/\d+\] (?:ALLOC|FREE):")]
    private static partial Regex LooseRecord();

    [GeneratedRegex(@"^\s*page_owner:0x[0-9a-f]+ PFN:0x(?<start>[0-9a-f]+)[~-]0x(?<end>[0-9a-f]+) Page:0x[0-9a-f]+ +Order:(?<order>\d+) stack_record:0x[0-9a-f]+ PID:(?<pid>-?\d+) (?<free>free_)?ts_nsec:(?<ts>\d+)$")]
    private static partial Regex OldRecord();

    [GeneratedRegex(@"^\s*page_owner:0x[0-9a-f]+ PFN:")]
    private static partial Regex LooseOldRecord();

    [GeneratedRegex(@"^\s*Allocated (?<times>\d+) times, Total memory: (?<size>\d+(?:\.\d+)?(?:B|KB|MB|GB|TB))$")]
    private static partial Regex Total();

    [GeneratedRegex(@"^\s*Allocated \d+ times")]
    private static partial Regex LooseTotal();

    /// <summary>"[&lt;addr&gt;] sym+0xoff", or "[&lt;addr&gt;] (nil)" where the plugin found no symbol.</summary>
    [GeneratedRegex(@"^\s*\[<[0-9a-f]+>\] (?<frame>\S.*)$")]
    private static partial Regex Frame();

    [GeneratedRegex(@"^pageowner(?: +[^-\s]\S*)*(?: +-[aftnpP]+(?: +[^-\s]\S*)*)+$")]
    private static partial Regex ReadCommand();

    [GeneratedRegex(@"^\s*-{5,}$")]
    private static partial Regex Separator();

    [GeneratedRegex(@"^\s*PID\s+Comm\s+Times\s+Size$")]
    private static partial Regex TableHeader();

    /// <summary>"3867     binder:1067_18       3920       15.31MB": the comm is padded to 20 and may hold spaces.</summary>
    [GeneratedRegex(@"^\s*(?<pid>\d+)\s+(?<comm>\S(?:.*?\S)?)\s+(?<times>\d+)\s+(?<size>\d+(?:\.\d+)?(?:B|KB|MB|GB|TB))$")]
    private static partial Regex PidRow();

    [GeneratedRegex(@"^\s*\d+\s+\S")]
    private static partial Regex PidRowLike();

    [GeneratedRegex(@"^(?:(?<d>\d{1,6})d )?(?<h>\d{1,6}):(?<m>\d{2}):(?<s>\d{2})\.(?<f>\d{1,9})$")]
    private static partial Regex Uptime();

    [GeneratedRegex(@"^(?<value>\d{1,15}(?:\.\d{1,6})?)(?<unit>B|KB|MB|GB|TB)$")]
    private static partial Regex Size();
}
