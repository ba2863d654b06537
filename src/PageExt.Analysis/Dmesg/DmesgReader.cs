using System.Globalization;
using System.Text.RegularExpressions;
using PageExt.Analysis.Inputs;
using PageExt.Analysis.Text;

namespace PageExt.Analysis.Dmesg;

/// <summary>
/// Reads a kernel log (dmesg, journalctl, syslog, a mail's excerpt) and collects every report that
/// carries page_owner's lines, as __dump_page_owner() printed them from v4.6 to today, inside Bad
/// page state, KASAN and `pagealloc: memory corruption` reports or any other dump_page() caller.
/// </summary>
/// <remarks>
/// <para>A report opens at its "BUG:"/"pagealloc:" header, or at a dump_page or page_owner line when
/// no header came first, and closes at the next header, or when a second page's lines begin. Inside
/// it the allocation line opens the allocation stack and "page last free ... stack trace:" the free
/// stack; each stack is the frame lines (one leading space) that follow.</para>
/// <para>Lines of other CPUs land inside reports. With CONFIG_PRINTK_CALLER a line from another
/// caller is set aside by its id. Without ids, a single line that is neither a frame nor a report
/// line, between two frames, is taken as another CPU's and the stack goes on. Both are named in a
/// note, never dropped silently. Lines cut or wrapped by mail clients are mended and named.</para>
/// </remarks>
internal sealed partial class DmesgReader : IDisposable
{
    private readonly TextLines _lines;
    private readonly TextDiagnostics _diagnostics;
    private readonly DmesgLog _log = new();
    private (string Message, string Caller, long Line)? _pushedBack;
    private OwnerReport? _report;
    private StackState _stack;
    private long _stackLine;

    private DmesgReader(Stream input, TextDiagnostics diagnostics)
    {
        _lines = new TextLines(input);
        _diagnostics = diagnostics;
    }

    private enum StackState
    {
        None,
        Alloc,
        Free,
    }

    public static DmesgLog Read(Stream input, TextDiagnostics diagnostics)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(diagnostics);
        using var reader = new DmesgReader(input, diagnostics);
        reader.Run();
        return reader._log;
    }

    private void Run()
    {
        while (Next() is { } line)
        {
            Handle(line.Message, line.Caller, line.Line);
        }

        Close();
    }

    private (string Message, string Caller, long Line)? Next()
    {
        if (_pushedBack is { } back)
        {
            _pushedBack = null;
            return back;
        }

        string? raw = _lines.Next();
        if (raw is null)
        {
            return null;
        }

        long number = _lines.LineNumber;
        if (_lines.HadNul)
        {
            _diagnostics.Add(number, TextSeverity.Skipped, "binary data (NUL bytes); no kernel log line holds them");
            return ("", "", number);
        }

        if (_lines.WasCut)
        {
            _diagnostics.Add(number, TextSeverity.Repaired, $"longer than {TextLines.MaxLineChars} characters; read up to there (printk caps a line at 1024)");
        }

        string message = DmesgLine.Message(raw, out string caller);
        return (message, caller, number);
    }

    private void Handle(string message, string caller, long line)
    {
        if (_stack != StackState.None && _report is not null && IsOtherCaller(caller))
        {
            _diagnostics.Add(line, TextSeverity.Note,
                $"printed by [{caller}] inside the report of [{_report.Caller}] (line {_report.Line}); not part of it");
            return;
        }

        if (IsFrame(message))
        {
            if (_stack != StackState.None && _report is not null)
            {
                AddFrame(message, line);
            }

            return;
        }

        if (TryHeader(message, caller, line) || TryOwnerLine(message, caller, line) || TryDumpPage(message, caller, line) || TryFact(message, line))
        {
            return;
        }

        if (_stack != StackState.None && _report is not null && !IsReportLine(message) && PeekIsFrame())
        {
            _diagnostics.Add(line, TextSeverity.Note,
                $"'{Cut(message)}' interrupts the page_owner stack begun on line {_stackLine}; taken as another CPU's line, the stack goes on at line {line + 1}");
            return;
        }

        _stack = StackState.None;
    }

    public void Dispose() => _lines.Dispose();

    private bool IsOtherCaller(string caller) => caller.Length > 0 && _report!.Caller.Length > 0 && caller != _report.Caller;

    private bool TryHeader(string message, string caller, long line)
    {
        string? kind = null;
        ulong? pfn = null;
        if (message.StartsWith("BUG: Bad page state", StringComparison.Ordinal))
        {
            if (message.StartsWith("BUG: Bad page state: ", StringComparison.Ordinal))
            {
                // "BUG: Bad page state: %lu messages suppressed": a count, not a page.
                return false;
            }

            kind = "Bad page state";
            var match = BadPagePfn().Match(message);
            if (match.Success)
            {
                pfn = ulong.Parse(match.Groups[1].ValueSpan, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
            }
        }
        else if (message.StartsWith("BUG: KASAN: ", StringComparison.Ordinal))
        {
            kind = "KASAN";
        }
        else if (message.StartsWith("pagealloc: memory corruption", StringComparison.Ordinal) || message.StartsWith("pagealloc: single bit error", StringComparison.Ordinal))
        {
            kind = message.TrimEnd();
        }

        if (kind is null)
        {
            return false;
        }

        Open(kind, message.TrimEnd(), caller, line);
        _report!.Pfn = pfn;
        return true;
    }

    private bool TryDumpPage(string message, string caller, long line)
    {
        if (message.StartsWith("page:", StringComparison.Ordinal) && message.Contains("count:", StringComparison.Ordinal))
        {
            if (_report is null || HasOwnerLines(_report) || _report.Pfn is not null && _report.Kind == "dump_page")
            {
                Open("dump_page", message.TrimEnd(), caller, line);
            }

            var match = DumpPagePfn().Match(message);
            if (match.Success)
            {
                _report!.Pfn = ulong.Parse(match.Groups[1].ValueSpan, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
            }

            _stack = StackState.None;
            return true;
        }

        if (message.StartsWith("flags: 0x", StringComparison.Ordinal) && _report is not null && !HasOwnerLines(_report))
        {
            _report.Flags ??= message.TrimEnd()["flags: ".Length..];
            _stack = StackState.None;
            return true;
        }

        if (message.StartsWith("page dumped because: ", StringComparison.Ordinal))
        {
            if (_report is null || HasOwnerLines(_report))
            {
                Open("dump_page", message.TrimEnd(), caller, line);
            }

            _report!.Reason = message["page dumped because: ".Length..].TrimEnd();
            _stack = StackState.None;
            return true;
        }

        return false;
    }

    private bool TryOwnerLine(string message, string caller, long line)
    {
        if (message.StartsWith("page_owner tracks the page as ", StringComparison.Ordinal))
        {
            var report = OwnerReportFor(message, caller, line);
            report.Tracks = message["page_owner tracks the page as ".Length..].TrimEnd();
            _stack = StackState.None;
            return true;
        }

        if (message.StartsWith("page_owner info is not ", StringComparison.Ordinal) || message.StartsWith("There is not page extension available", StringComparison.Ordinal))
        {
            OwnerReportFor(message, caller, line).OwnerMissing = message.TrimEnd();
            _stack = StackState.None;
            return true;
        }

        if (message.StartsWith("page allocated via order ", StringComparison.Ordinal) || message.StartsWith("page last allocated via order ", StringComparison.Ordinal))
        {
            ReadAlloc(message, caller, line);
            return true;
        }

        if (message.StartsWith("page_owner allocation stack trace missing", StringComparison.Ordinal)
            || message.StartsWith("page_owner free stack trace missing", StringComparison.Ordinal))
        {
            if (_report is not null)
            {
                _report.Missing.Add(message.TrimEnd());
            }

            _stack = StackState.None;
            return true;
        }

        var free = message.StartsWith("page last free ", StringComparison.Ordinal) ? FreeStackLine().Match(message) : Match.Empty;
        if (free.Success)
        {
            if (_report is null || _report.FreeStackGiven)
            {
                _diagnostics.Add(line, TextSeverity.Skipped, "a free stack with no page_owner allocation line before it in this report");
                _stack = StackState.None;
                return true;
            }

            _report.FreeStackGiven = true;
            _report.FreePid = free.Groups["pid"].Success ? long.Parse(free.Groups["pid"].ValueSpan, CultureInfo.InvariantCulture) : null;
            _report.FreeTgid = free.Groups["tgid"].Success ? long.Parse(free.Groups["tgid"].ValueSpan, CultureInfo.InvariantCulture) : null;
            _report.FreeTs = free.Groups["ts"].Success ? long.Parse(free.Groups["ts"].ValueSpan, CultureInfo.InvariantCulture) : null;
            _stack = StackState.Free;
            _stackLine = line;
            return true;
        }

        if (message.StartsWith("page has been migrated, last migrate reason: ", StringComparison.OrdinalIgnoreCase) && _report is not null)
        {
            _report.MigrateReason = message["page has been migrated, last migrate reason: ".Length..].TrimEnd();
            _stack = StackState.None;
            return true;
        }

        return false;
    }

    private void ReadAlloc(string message, string caller, long line)
    {
        string text = message.TrimEnd();
        if (!AllocLine().IsMatch(text) && Next() is { } next)
        {
            // A mail client wrapped it ("..., migratetype Movable," / "gfp_mask 0x..."): the two halves make one.
            string joined = text + " " + next.Message.Trim();
            if (AllocLine().IsMatch(joined))
            {
                text = joined;
                _diagnostics.Add(line, TextSeverity.Repaired, $"the allocation line goes on at line {next.Line} (wrapped, as mail clients do); joined");
            }
            else
            {
                _pushedBack = next;
            }
        }

        var match = AllocLine().Match(text);
        var report = _report is not null && _report.Alloc is null && !_report.FreeStackGiven ? _report : null;
        if (report is null)
        {
            Open("dump_page", text, caller, line);
            report = _report!;
        }

        if (!match.Success)
        {
            _diagnostics.Add(line, TextSeverity.Skipped, $"not a page_owner allocation line: '{Cut(text)}'");
            _stack = StackState.None;
            return;
        }

        string gfp = match.Groups["gfp"].Value;
        if (gfp.Contains('(', StringComparison.Ordinal) && !gfp.EndsWith(')'))
        {
            _diagnostics.Add(line, TextSeverity.Repaired, $"the gfp flag names are cut off ('{gfp}'); closed, and the fields after them are lost");
            gfp += ")";
        }

        string rest = match.Groups["rest"].Value;
        long? pid = Number(PidField().Match(rest));
        long? tgid = null;
        string? comm = null;
        var tgidMatch = TgidField().Match(rest);
        if (tgidMatch.Success)
        {
            tgid = long.Parse(tgidMatch.Groups[1].ValueSpan, CultureInfo.InvariantCulture);

            // The comm may hold spaces and parentheses: it runs to the last "), ts", or to the last ')'.
            string after = rest[(tgidMatch.Index + tgidMatch.Length)..];
            int end = after.LastIndexOf("), ts ", StringComparison.Ordinal);
            if (end < 0)
            {
                end = after.LastIndexOf(')');
            }

            comm = end >= 0 ? after[..end] : after;
            rest = end >= 0 ? after[(end + 1)..] : "";
        }

        long? ts = Number(TsField().Match(rest));
        long? freeTs = Number(FreeTsField().Match(rest));
        if (!int.TryParse(match.Groups["order"].ValueSpan, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int order))
        {
            _diagnostics.Add(line, TextSeverity.Skipped, $"order '{match.Groups["order"].Value}' is not a number");
            _stack = StackState.None;
            return;
        }

        report.Alloc = new OwnerAlloc(line, order, match.Groups["mt"].Value, gfp, pid, tgid, comm, ts, freeTs);
        _stack = StackState.Alloc;
        _stackLine = line;
    }

    private bool TryFact(string message, long line)
    {
        // The substring tests keep the regular expressions off the lines of an ordinary boot log.
        var kind = message switch
        {
            _ when message.Contains("bytes of page_ext", StringComparison.Ordinal) && PageExtAllocated().IsMatch(message) => LogFactKind.PageExtAllocated,
            _ when message.Contains("page owner found early", StringComparison.Ordinal) && EarlyAllocated().IsMatch(message) => LogFactKind.EarlyAllocated,
            _ when message.Contains(": page allocation failure: ", StringComparison.Ordinal) && AllocationFailure().IsMatch(message) => LogFactKind.AllocationFailure,
            _ => (LogFactKind?)null,
        };
        if (kind is not { } found)
        {
            return false;
        }

        if (found == LogFactKind.AllocationFailure)
        {
            Close();
        }

        _log.Facts.Add(new LogFact(line, found, message.Trim()));
        return true;
    }

    private OwnerReport OwnerReportFor(string message, string caller, long line)
    {
        if (_report is null || HasOwnerLines(_report))
        {
            Open("dump_page", message.TrimEnd(), caller, line);
        }

        return _report!;
    }

    private static bool HasOwnerLines(OwnerReport report) =>
        report.Alloc is not null || report.Tracks is not null || report.OwnerMissing is not null || report.FreeStackGiven;

    private void Open(string kind, string title, string caller, long line)
    {
        Close();
        _report = new OwnerReport { Line = line, Kind = kind, Title = title, Caller = caller };
    }

    private void Close()
    {
        if (_report is not null)
        {
            _log.Reports.Add(_report);
            _report = null;
        }

        _stack = StackState.None;
    }

    private void AddFrame(string message, long line)
    {
        string frame = message.Trim();
        if (frame.EndsWith(" [inline]", StringComparison.Ordinal))
        {
            // syzbot's symbolizer adds the inlined callers; the kernel never printed them.
            return;
        }

        // Symbolizers append "file:line" (syzbot) or " (file:line file:line)" (decode_stacktrace.sh).
        frame = SymbolizedSuffix().Replace(frame, "");
        if (frame.Length == 0)
        {
            _diagnostics.Add(line, TextSeverity.Skipped, "an empty stack frame");
            return;
        }

        (_stack == StackState.Alloc ? _report!.AllocStack : _report!.FreeStack).Add(frame);
    }

    private bool PeekIsFrame()
    {
        if (Next() is not { } next)
        {
            return false;
        }

        _pushedBack = next;
        return IsFrame(next.Message) && !IsOtherCaller(next.Caller);
    }

    /// <summary>stack_trace_print's " %pS" (one leading space), or 4.x's "[&lt;addr&gt;] sym" that lost its space.</summary>
    private static bool IsFrame(string message) =>
        message.Length > 1 && (message[0] == ' ' || message[0] == '\t') && !string.IsNullOrWhiteSpace(message)
        || message.StartsWith("[<", StringComparison.Ordinal);

    /// <summary>Lines reports print around page_owner's: not another CPU's, even when frames follow them.</summary>
    private static bool IsReportLine(string message) =>
        message.EndsWith(':') || ReportLine().IsMatch(message);

    private static long? Number(Match match) =>
        match.Success ? long.Parse(match.Groups[1].ValueSpan, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture) : null;

    private static string Cut(string text) => text.Length <= 80 ? text : text[..77] + "...";

    [GeneratedRegex(@"pfn:([0-9a-fA-F]+)")]
    private static partial Regex BadPagePfn();

    [GeneratedRegex(@"\bpfn:(?:0x)?([0-9a-fA-F]+)")]
    private static partial Regex DumpPagePfn();

    [GeneratedRegex(@"^page (?:last )?allocated via order (?<order>-?\d+), migratetype (?<mt>[^,]+), gfp_mask (?<gfp>0x[0-9a-fA-F]+(?:\([^)]*\)?)?)(?<rest>.*)$")]
    private static partial Regex AllocLine();

    [GeneratedRegex(@"^, pid (-?\d+)")]
    private static partial Regex PidField();

    [GeneratedRegex(@", tgid (-?\d+) \(")]
    private static partial Regex TgidField();

    [GeneratedRegex(@"\bts (-?\d+)")]
    private static partial Regex TsField();

    [GeneratedRegex(@"\bfree_ts (-?\d+)")]
    private static partial Regex FreeTsField();

    [GeneratedRegex(@"^page last free (?:pid (?<pid>-?\d+) tgid (?<tgid>-?\d+) )?(?:ts (?<ts>\d+) )?stack trace:\s*$")]
    private static partial Regex FreeStackLine();

    [GeneratedRegex(@"(?: \([^()]*:[^()]*\)| \S+:(?:\d+|\?))$")]
    private static partial Regex SymbolizedSuffix();

    [GeneratedRegex(@"^allocated \d+ bytes of page_ext\s*$")]
    private static partial Regex PageExtAllocated();

    [GeneratedRegex(@"^Node \d+, zone +\S+: page owner found early allocated \d+ pages\s*$")]
    private static partial Regex EarlyAllocated();

    [GeneratedRegex(@"^\S.*: page allocation failure: order:\d+, mode:0x[0-9a-fA-F]+")]
    private static partial Regex AllocationFailure();

    [GeneratedRegex(@"^(?:Call Trace|<TASK>|</TASK>|<IRQ>|</IRQ>|Modules linked in|CPU:|Hardware name:|Workqueue:|---|==|Allocated by|Freed by|Last potentially|Second to last|The buggy address|Memory state|raw:|head:|memcg:|page_type:|BUG|WARNING|Kernel panic|Disabling lock debugging|RIP:|Code:)")]
    private static partial Regex ReportLine();
}
