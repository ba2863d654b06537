namespace PageExt.Analysis.Trace;

/// <summary>
/// Classifies and splits one line of trace text, over its bytes, allocating nothing. One parser
/// reads every layout, because the layouts share their shape and a file may even mix them (a
/// trace-cmd report pasted under an ftrace excerpt):
/// <list type="bullet">
/// <item>ftrace (trace, trace_pipe, per_cpu/*/trace): <c>comm-pid [(tgid)] [cpu] [flags] ts: event: text</c>;</item>
/// <item>trace-cmd report: the same, flags optional, stacks as <c>kernel_stack: &lt;stack trace&gt;</c>;</item>
/// <item>perf script: <c>comm pid[/tid] [cpu] ts: kmem:event: text</c>, frames <c>\taddr sym+off (dso)</c>;</item>
/// <item>function_graph: <c>[abstime |] cpu) [comm-pid |] ... |  /* event: text */</c>;</item>
/// <item>a bare <c>event: text</c>, with or without a dmesg <c>[ seconds]</c> prefix (tp_printk, mails).</item>
/// </list>
/// The comm is free text (spaces, '-', '/', ':'), so the context is read from the <c>[cpu]</c>
/// column backwards, as the spec's pitfall 8 asks, never by fixed columns (the pid width changed in
/// v5.10 and the tgid column comes and goes).
/// </summary>
internal static class TraceLineParser
{
    public const string NoCpuColumn = "no [cpu] column, no function_graph comment and no event name: not a trace line";
    public const string NoPid = "no pid before the [cpu] column";
    public const string NoTimestamp = "no 'seconds:' timestamp after the [cpu] column";
    public const string NoEventName = "no 'event:' after the timestamp";

    public static void Parse(ReadOnlySpan<byte> line, ref TraceLine parsed)
    {
        Reset(ref parsed);

        int first = IndexOfNonBlank(line);
        if (first < 0)
        {
            parsed.Kind = TraceLineKind.Blank;
            return;
        }

        byte lead = line[first];
        if (first == 0 && lead == '#')
        {
            parsed.Kind = TraceLineKind.Comment;
            return;
        }

        if (lead == '=' && first + 1 < line.Length && line[first + 1] == '>')
        {
            ParseArrowFrame(line[(first + 2)..], ref parsed);
            return;
        }

        if (TryParseContextLine(line, ref parsed))
        {
            return;
        }

        string? contextProblem = parsed.Problem;
        Reset(ref parsed);
        if (first > 0 && TryParsePerfFrame(line[first..], ref parsed))
        {
            return;
        }

        if (TryParseFunctionGraph(line, ref parsed))
        {
            return;
        }

        Reset(ref parsed);
        if (TryParseBare(line[first..], ref parsed) || TryParseOther(line, ref parsed))
        {
            return;
        }

        Reset(ref parsed);
        parsed.Kind = TraceLineKind.Malformed;
        parsed.Problem = contextProblem ?? NoCpuColumn;
    }

    private static void Reset(ref TraceLine parsed)
    {
        parsed = default;
        parsed.Pid = -1;
        parsed.Tgid = -1;
        parsed.Cpu = -1;
        parsed.LostCount = -1;
    }

    /// <summary>The context layouts: ftrace, trace-cmd and perf script, anchored on the first "[digits]".</summary>
    private static bool TryParseContextLine(ReadOnlySpan<byte> line, ref TraceLine parsed)
    {
        int open = FindCpuColumn(line, out int cpu, out int close);
        if (open < 0)
        {
            return false;
        }

        var before = TrimEnd(line[..open]);
        if (before.Length > 0 && before[^1] == ')')
        {
            // record-tgid's "(  1234) " or "(-------) ".
            int tgidOpen = before.LastIndexOf((byte)'(');
            if (tgidOpen < 0)
            {
                parsed.Problem = NoPid;
                return false;
            }

            var tgidText = Trim(before[(tgidOpen + 1)..^1]);
            parsed.Tgid = TryParseInt(tgidText, out int tgid) ? tgid : -1;
            before = TrimEnd(before[..tgidOpen]);
        }

        int digits = before.Length;
        while (digits > 0 && IsDigit(before[digits - 1]))
        {
            digits--;
        }

        if (digits == before.Length || !TryParseInt(before[digits..], out int pid))
        {
            parsed.Problem = NoPid;
            return false;
        }

        if (digits > 1 && before[digits - 1] == '/')
        {
            // perf's pid/tid: page_owner's pid is the thread, its tgid the process.
            int pidStart = digits - 1;
            while (pidStart > 0 && IsDigit(before[pidStart - 1]))
            {
                pidStart--;
            }

            if (pidStart < digits - 1 && TryParseInt(before[pidStart..(digits - 1)], out int process))
            {
                parsed.Tgid = process;
                digits = pidStart;
            }
        }

        if (digits == 0 || !(before[digits - 1] is (byte)'-' or (byte)' ' or (byte)'\t'))
        {
            parsed.Problem = NoPid;
            return false;
        }

        parsed.Pid = pid;
        parsed.Comm = Trim(before[..(digits - 1)]);
        parsed.Cpu = cpu;

        var rest = TrimStart(line[(close + 1)..]);
        int token = rest.IndexOf((byte)' ');
        var first = token < 0 ? rest : rest[..token];
        if (!TryParseTimestampToken(first, ref parsed))
        {
            // The irq-info flags ("d.s.", ".....") sit before the time.
            rest = token < 0 ? default : TrimStart(rest[token..]);
            token = rest.IndexOf((byte)' ');
            first = token < 0 ? rest : rest[..token];
            if (!TryParseTimestampToken(first, ref parsed))
            {
                parsed.Problem = NoTimestamp;
                return false;
            }
        }

        rest = token < 0 ? default : TrimStart(rest[token..]);
        return ParseEventText(rest, ref parsed);
    }

    /// <summary>"event: text", "&lt;stack trace&gt;" or trace-cmd's "kernel_stack: &lt;stack trace&gt;".</summary>
    private static bool ParseEventText(ReadOnlySpan<byte> rest, ref TraceLine parsed)
    {
        if (rest.StartsWith("<stack trace>"u8))
        {
            parsed.Kind = TraceLineKind.StackMarker;
            return true;
        }

        if (rest.StartsWith("<user stack trace>"u8))
        {
            parsed.Kind = TraceLineKind.UserStackMarker;
            return true;
        }

        int end = rest.IndexOf(": "u8);
        ReadOnlySpan<byte> name;
        ReadOnlySpan<byte> fields;
        if (end > 0)
        {
            name = rest[..end];
            fields = TrimStart(rest[(end + 2)..]);
        }
        else if (rest.Length > 1 && rest[^1] == ':')
        {
            name = rest[..^1];
            fields = default;
        }
        else
        {
            parsed.Problem = NoEventName;
            return false;
        }

        if (name.IndexOfAny((byte)' ', (byte)'\t') >= 0)
        {
            parsed.Problem = NoEventName;
            return false;
        }

        if (fields.StartsWith("<stack trace>"u8))
        {
            parsed.Kind = TraceLineKind.StackMarker;
            return true;
        }

        if (fields.StartsWith("<user stack trace>"u8))
        {
            parsed.Kind = TraceLineKind.UserStackMarker;
            return true;
        }

        parsed.Kind = TraceLineKind.Event;
        parsed.EventName = name;
        parsed.Event = KmemEventLayout.Lookup(name);
        parsed.Fields = TrimEnd(fields);
        return true;
    }

    /// <summary>The first "[digits]" of the line; its start, or -1.</summary>
    private static int FindCpuColumn(ReadOnlySpan<byte> line, out int cpu, out int close)
    {
        cpu = -1;
        close = -1;
        int from = 0;
        while (from < line.Length)
        {
            int open = line[from..].IndexOf((byte)'[');
            if (open < 0)
            {
                return -1;
            }

            open += from;
            int i = open + 1;
            int value = 0;
            while (i < line.Length && IsDigit(line[i]) && i - open <= 6)
            {
                value = (value * 10) + (line[i] - '0');
                i++;
            }

            if (i > open + 1 && i < line.Length && line[i] == ']')
            {
                cpu = value;
                close = i;
                return open;
            }

            from = open + 1;
        }

        return -1;
    }

    /// <summary>"355.369905:" (seconds.fraction) or "12345:" (a counter clock), the colon included.</summary>
    private static bool TryParseTimestampToken(ReadOnlySpan<byte> token, ref TraceLine parsed)
    {
        if (token.Length < 2 || token[^1] != ':')
        {
            return false;
        }

        if (!TryParseTimestamp(token[..^1], out long ns))
        {
            return false;
        }

        parsed.HasTimestamp = true;
        parsed.TimestampNs = ns;
        return true;
    }

    /// <summary>Seconds with up to 9 fractional digits as nanoseconds; an integer (counter clocks) as it is.</summary>
    public static bool TryParseTimestamp(ReadOnlySpan<byte> text, out long ns)
    {
        ns = 0;
        int dot = text.IndexOf((byte)'.');
        var whole = dot < 0 ? text : text[..dot];
        if (whole.IsEmpty || whole.Length > 18 || !AllDigits(whole))
        {
            return false;
        }

        long seconds = ParseDigits(whole);
        if (dot < 0)
        {
            ns = seconds;
            return true;
        }

        var fraction = text[(dot + 1)..];
        if (fraction.IsEmpty || fraction.Length > 9 || !AllDigits(fraction) || seconds > long.MaxValue / 1_000_000_000 - 1)
        {
            return false;
        }

        long fractionNs = ParseDigits(fraction);
        for (int i = fraction.Length; i < 9; i++)
        {
            fractionNs *= 10;
        }

        ns = (seconds * 1_000_000_000) + fractionNs;
        return true;
    }

    /// <summary>" => sym", " => sym+0x1/0x2 &lt;ffffffff81000000&gt;" (sym-addr), "=> sym (ffffffff81000000)" (trace-cmd).</summary>
    private static void ParseArrowFrame(ReadOnlySpan<byte> text, ref TraceLine parsed)
    {
        text = Trim(text);
        if (text.Length > 2 && text[^1] == '>')
        {
            int open = text.LastIndexOf(" <"u8);
            if (open > 0 && AllHex(text[(open + 2)..^1]))
            {
                text = TrimEnd(text[..open]);
            }
        }
        else if (text.Length > 2 && text[^1] == ')')
        {
            int open = text.LastIndexOf(" ("u8);
            if (open > 0 && AllHex(text[(open + 2)..^1]))
            {
                text = TrimEnd(text[..open]);
            }
        }

        if (text.IsEmpty)
        {
            parsed.Kind = TraceLineKind.Malformed;
            parsed.Problem = "a '=>' frame line without a symbol";
            return;
        }

        parsed.Kind = TraceLineKind.Frame;
        parsed.Frame = text;
    }

    /// <summary>perf script's "ffffffffb523e2ae __alloc_pages_nodemask+0x22e (/lib/modules/.../vmlinux)".</summary>
    private static bool TryParsePerfFrame(ReadOnlySpan<byte> text, ref TraceLine parsed)
    {
        int space = text.IndexOf((byte)' ');
        if (space <= 0 || !AllHex(text[..space]))
        {
            return false;
        }

        var symbol = Trim(text[(space + 1)..]);
        ReadOnlySpan<byte> module = default;
        if (symbol.Length > 0 && symbol[^1] == ')')
        {
            int open = symbol.LastIndexOf(" ("u8);
            if (open >= 0)
            {
                module = symbol[(open + 2)..^1];
                symbol = TrimEnd(symbol[..open]);
            }
        }

        if (symbol.IsEmpty)
        {
            return false;
        }

        parsed.Kind = TraceLineKind.Frame;
        parsed.Frame = symbol;
        if (module.Length > 2 && module[0] == '[' && module[^1] == ']' && !module.SequenceEqual("[kernel.kallsyms]"u8) && !module.SequenceEqual("[unknown]"u8))
        {
            // A kernel module ("[xfs]"): page_owner prints it after the symbol, as %pS does.
            parsed.FrameModule = module[1..^1];
        }
        else if (!module.IsEmpty && !module.SequenceEqual("[kernel.kallsyms]"u8) && !module.EndsWith("vmlinux"u8))
        {
            // A user-space library or [unknown]: page_owner records kernel stacks only.
            parsed.FrameIsUser = true;
        }

        return true;
    }

    /// <summary>function_graph's " 24)               |  /* mm_page_alloc: ... */", optionally with abstime and funcgraph-proc.</summary>
    private static bool TryParseFunctionGraph(ReadOnlySpan<byte> line, ref TraceLine parsed)
    {
        int open = line.IndexOf("/* "u8);
        if (open < 0)
        {
            return false;
        }

        var inner = line[(open + 3)..];
        int close = inner.LastIndexOf("*/"u8);
        if (close < 0)
        {
            return false;
        }

        inner = Trim(inner[..close]);
        var prefix = line[..open];
        int cpu = -1;
        long ts = -1;
        int pid = -1;
        ReadOnlySpan<byte> comm = default;
        while (!prefix.IsEmpty)
        {
            int end = prefix.IndexOfAny((byte)' ', (byte)'|');
            var token = end < 0 ? prefix : prefix[..end];
            prefix = end < 0 ? default : prefix[(end + 1)..];
            if (token.IsEmpty)
            {
                continue;
            }

            if (token[^1] == ')' && token.Length > 1 && AllDigits(token[..^1]) && cpu < 0)
            {
                cpu = ParseInt(token[..^1]);
            }
            else if (cpu < 0 && ts < 0 && token.IndexOf((byte)'.') > 0 && TryParseTimestamp(token, out long abs))
            {
                ts = abs;
            }
            else if (cpu >= 0 && pid < 0)
            {
                int dash = token.LastIndexOf((byte)'-');
                if (dash > 0 && dash < token.Length - 1 && AllDigits(token[(dash + 1)..]) && TryParseInt(token[(dash + 1)..], out int p))
                {
                    pid = p;
                    comm = token[..dash];
                }
            }
        }

        if (cpu < 0)
        {
            return false;
        }

        parsed.Cpu = cpu;
        parsed.Pid = pid;
        parsed.Comm = comm;
        parsed.HasTimestamp = ts >= 0;
        parsed.TimestampNs = Math.Max(ts, 0);
        return ParseEventText(inner, ref parsed);
    }

    /// <summary>"mm_page_alloc: page=..." with no context, or after a dmesg "[  123.456789] " prefix (tp_printk).</summary>
    private static bool TryParseBare(ReadOnlySpan<byte> text, ref TraceLine parsed)
    {
        long ts = -1;
        if (text.Length > 0 && text[0] == '[')
        {
            int close = text.IndexOf((byte)']');
            if (close < 0 || !TryParseTimestamp(Trim(text[1..close]), out ts))
            {
                return false;
            }

            text = TrimStart(text[(close + 1)..]);
        }

        int colon = text.IndexOf(": "u8);
        if (colon <= 0 || KmemEventLayout.Lookup(text[..colon]) == KmemEventKind.Other)
        {
            return false;
        }

        parsed.HasTimestamp = ts >= 0;
        parsed.TimestampNs = Math.Max(ts, 0);
        return ParseEventText(text, ref parsed);
    }

    /// <summary>Lost-event lines and trace-cmd's preamble.</summary>
    private static bool TryParseOther(ReadOnlySpan<byte> line, ref TraceLine parsed)
    {
        var text = Trim(line);
        if (text.StartsWith("CPU:"u8))
        {
            // "CPU:3 [LOST 12 EVENTS]", "CPU:3 [LOST EVENTS]", "CPU:3 [12 EVENTS DROPPED]", "CPU:3 [EVENTS DROPPED]".
            int open = text.IndexOf((byte)'[');
            if (open > 0 && text[^1] == ']' && (text.EndsWith("EVENTS]"u8) || text.EndsWith("DROPPED]"u8)))
            {
                var inside = text[(open + 1)..^1];
                if (inside.StartsWith("LOST "u8))
                {
                    inside = inside[5..];
                }

                int space = inside.IndexOf((byte)' ');
                parsed.Kind = TraceLineKind.LostEvents;
                parsed.LostCount = space > 0 && TryParseLong(inside[..space], out long count) ? count : -1;
                return true;
            }

            return false;
        }

        if (text.StartsWith("version = "u8) || text.StartsWith("cpus="u8)
            || (text.StartsWith("CPU "u8) && text.EndsWith(" is empty"u8))
            || (text.StartsWith("CPU"u8) && text.IndexOf(" data recorded at offset="u8) > 0)
            || (text.EndsWith(" bytes in size"u8) && AllDigits(text[..text.IndexOf((byte)' ')])))
        {
            parsed.Kind = TraceLineKind.ReportHeader;
            return true;
        }

        return false;
    }

    private static int IndexOfNonBlank(ReadOnlySpan<byte> line) => line.IndexOfAnyExcept((byte)' ', (byte)'\t');

    // Loops over the two blanks rather than MemoryExtensions.Trim(" \t"u8), which searches the set
    // for every byte it looks at: a call per byte that only profile-guided inlining used to remove.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static ReadOnlySpan<byte> Trim(ReadOnlySpan<byte> text) => TrimEnd(TrimStart(text));

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static ReadOnlySpan<byte> TrimStart(ReadOnlySpan<byte> text)
    {
        int start = 0;
        while (start < text.Length && IsBlank(text[start]))
        {
            start++;
        }

        return text[start..];
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static ReadOnlySpan<byte> TrimEnd(ReadOnlySpan<byte> text)
    {
        int end = text.Length;
        while (end > 0 && IsBlank(text[end - 1]))
        {
            end--;
        }

        return text[..end];
    }

    private static bool IsBlank(byte b) => b == ' ' || b == '\t';

    public static bool IsDigit(byte b) => (uint)(b - '0') <= 9;

    private static bool AllDigits(ReadOnlySpan<byte> text) => !text.IsEmpty && text.IndexOfAnyExceptInRange((byte)'0', (byte)'9') < 0;

    private static bool AllHex(ReadOnlySpan<byte> text)
    {
        if (text.StartsWith("0x"u8))
        {
            text = text[2..];
        }

        if (text.IsEmpty)
        {
            return false;
        }

        foreach (byte b in text)
        {
            if (!Uri.IsHexDigit((char)b))
            {
                return false;
            }
        }

        return true;
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static long ParseDigits(ReadOnlySpan<byte> digits)
    {
        long value = 0;
        foreach (byte b in digits)
        {
            value = (value * 10) + (b - '0');
        }

        return value;
    }

    private static int ParseInt(ReadOnlySpan<byte> digits) => (int)ParseDigits(digits);

    private static bool TryParseInt(ReadOnlySpan<byte> text, out int value)
    {
        value = 0;
        if (text.IsEmpty || text.Length > 10 || !AllDigits(text))
        {
            return false;
        }

        long v = ParseDigits(text);
        if (v > int.MaxValue)
        {
            return false;
        }

        value = (int)v;
        return true;
    }

    private static bool TryParseLong(ReadOnlySpan<byte> text, out long value)
    {
        value = 0;
        if (text.IsEmpty || text.Length > 18 || !AllDigits(text))
        {
            return false;
        }

        value = ParseDigits(text);
        return true;
    }
}
