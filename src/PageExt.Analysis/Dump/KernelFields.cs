namespace PageExt.Analysis.Dump;

/// <summary>
/// Field extraction with exactly the semantics of page_owner_sort's POSIX regexes (compiled with
/// REG_EXTENDED|REG_NEWLINE, first match, first capture group), written as byte scans. Matching the
/// regexes rather than the kernel's format strings is what keeps odd records (a comm holding "), ts",
/// a record without tgid, a field split over lines) grouped exactly as the C tool groups them.
/// </summary>
/// <remarks>
/// glibc's <c>\s</c> is <c>[[:space:]]</c>, which matches a newline even under REG_NEWLINE; only
/// <c>.</c> stops at a newline. The patterns (tools/mm/page_owner_sort.c, v6.7+):
/// <c>order\s*([0-9]*),</c>, <c>pid\s*([0-9]*),</c>, <c>tgid\s*([0-9]*) </c>,
/// <c>tgid\s*[0-9]*\s*\((.*)\),\s*ts</c>, <c>ts\s*([0-9]*)\s*ns</c>.
/// </remarks>
internal static class KernelFields
{
    public const int AllocatorCma = 1 << 1;
    public const int AllocatorSlab = 1 << 2;
    public const int AllocatorVmalloc = 1 << 3;
    public const int AllocatorOthers = 1 << 4;

    /// <summary>page_owner_sort copies captures into 25-byte buffers (FIELD_BUFF); longer ones are rejected
    /// as the bounds-checked mm-tree version does (the released tool overflows its stack buffer).</summary>
    private const int FieldBufferBytes = 25;

    /// <summary>A capture [Start, End) inside the searched text; Start &lt; 0 when the pattern did not match.</summary>
    internal readonly record struct Capture(int Start, int End)
    {
        public static Capture None => new(-1, -1);

        public bool Found => Start >= 0;

        public int Length => End - Start;
    }

    public static bool IsSpace(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\v' or (byte)'\f' or (byte)'\r';

    private static int SkipSpaces(ReadOnlySpan<byte> text, int i)
    {
        while (i < text.Length && IsSpace(text[i]))
        {
            i++;
        }

        return i;
    }

    private static int SkipDigits(ReadOnlySpan<byte> text, int i)
    {
        while (i < text.Length && (uint)(text[i] - '0') <= 9)
        {
            i++;
        }

        return i;
    }

    /// <summary><c>literal\s*([0-9]*)terminator</c> for a one-byte terminator (',' for order and pid).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static Capture FindNumberBefore(ReadOnlySpan<byte> text, ReadOnlySpan<byte> literal, byte terminator)
    {
        int from = 0;
        while (true)
        {
            int at = text[from..].IndexOf(literal);
            if (at < 0)
            {
                return Capture.None;
            }

            at += from;
            int digitsStart = SkipSpaces(text, at + literal.Length);
            int digitsEnd = SkipDigits(text, digitsStart);
            if (digitsEnd < text.Length && text[digitsEnd] == terminator)
            {
                return new Capture(digitsStart, digitsEnd);
            }

            from = at + 1;
        }
    }

    public static Capture FindOrder(ReadOnlySpan<byte> text) => FindNumberBefore(text, "order"u8, (byte)',');

    public static Capture FindPid(ReadOnlySpan<byte> text) => FindNumberBefore(text, "pid"u8, (byte)',');

    /// <summary><c>tgid\s*([0-9]*) </c>: the trailing space may also be taken from the spaces before the
    /// digits, which matches with an empty capture (page_owner_sort then reports tgid -1).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static Capture FindTgid(ReadOnlySpan<byte> text)
    {
        int from = 0;
        while (true)
        {
            int at = text[from..].IndexOf("tgid"u8);
            if (at < 0)
            {
                return Capture.None;
            }

            at += from;
            int spacesStart = at + 4;
            int digitsStart = SkipSpaces(text, spacesStart);
            int digitsEnd = SkipDigits(text, digitsStart);
            if (digitsEnd > digitsStart && digitsEnd < text.Length && text[digitsEnd] == ' ')
            {
                return new Capture(digitsStart, digitsEnd);
            }

            if (text[spacesStart..digitsStart].Contains((byte)' '))
            {
                return new Capture(digitsStart, digitsStart);
            }

            from = at + 1;
        }
    }

    /// <summary><c>ts\s*([0-9]*)\s*ns</c>: the timestamp, and the digits page_owner_sort cuts out of the text.
    /// The 5.18-6.6 tool wants a comma after "ns" (<paramref name="requireComma"/>), and reads free_ts with
    /// the literal "free_ts".</summary>
    public static Capture FindTimestamp(ReadOnlySpan<byte> text, bool requireComma = false) =>
        FindNanoseconds(text, "ts"u8, requireComma);

    public static Capture FindFreeTimestamp(ReadOnlySpan<byte> text) => FindNanoseconds(text, "free_ts"u8, requireComma: false);

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static Capture FindNanoseconds(ReadOnlySpan<byte> text, ReadOnlySpan<byte> literal, bool requireComma)
    {
        int from = 0;
        while (true)
        {
            int at = text[from..].IndexOf(literal);
            if (at < 0)
            {
                return Capture.None;
            }

            at += from;
            int digitsStart = SkipSpaces(text, at + literal.Length);
            int digitsEnd = SkipDigits(text, digitsStart);
            var unit = text[SkipSpaces(text, digitsEnd)..];
            if (requireComma ? unit.StartsWith("ns,"u8) : unit.StartsWith("ns"u8))
            {
                return new Capture(digitsStart, digitsEnd);
            }

            from = at + 1;
        }
    }

    /// <summary><c>tgid\s*[0-9]*\s*\((.*)\),\s*ts</c>: leftmost "tgid", then the longest comm on that line.</summary>
    public static Capture FindComm(ReadOnlySpan<byte> text) => FindCommAfter(text, "tgid"u8);

    /// <summary>The same pattern after "pid": the comm of records printed before the tgid was, as
    /// "pid %d (%s), ts %llu ns"; page_owner_sort never reads it.</summary>
    public static Capture FindPidComm(ReadOnlySpan<byte> text) => FindCommAfter(text, "pid"u8);

    /// <summary>The pid of a <see cref="FindPidComm"/> match, "pid %d (": page_owner_sort's pattern
    /// wants a comma after the digits, so it reads -1 there.</summary>
    public static int ParsePidBeforeComm(ReadOnlySpan<byte> text, Capture comm)
    {
        int end = comm.Start - 1;
        while (end > 0 && IsSpace(text[end - 1]))
        {
            end--;
        }

        int start = end;
        while (start > 0 && (uint)(text[start - 1] - '0') <= 9)
        {
            start--;
        }

        return ParsePid(text, new Capture(start, end), out _);
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static Capture FindCommAfter(ReadOnlySpan<byte> text, ReadOnlySpan<byte> literal)
    {
        int from = 0;
        while (true)
        {
            int at = text[from..].IndexOf(literal);
            if (at < 0)
            {
                return Capture.None;
            }

            at += from;
            int open = SkipSpaces(text, SkipDigits(text, SkipSpaces(text, at + literal.Length)));
            if (open < text.Length && text[open] == '(')
            {
                int commStart = open + 1;
                int lineEnd = text[commStart..].IndexOf((byte)'\n');
                lineEnd = lineEnd < 0 ? text.Length : commStart + lineEnd;
                var line = text[commStart..lineEnd];
                while (true)
                {
                    int close = line.LastIndexOf("),"u8);
                    if (close < 0)
                    {
                        break;
                    }

                    int after = SkipSpaces(text, commStart + close + 2);
                    if (text[after..].StartsWith("ts"u8))
                    {
                        return new Capture(commStart, commStart + close);
                    }

                    line = line[..close];
                }
            }

            from = at + 1;
        }
    }

    /// <summary>strtol/strtoull on a capture: false for an empty capture, a capture longer than the C
    /// tool's field buffer, or a value beyond 64 bits (ERANGE).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static bool TryParseDigits(ReadOnlySpan<byte> digits, out ulong value)
    {
        value = 0;
        if (digits.IsEmpty || digits.Length >= FieldBufferBytes)
        {
            return false;
        }

        foreach (byte b in digits)
        {
            uint digit = (uint)(b - '0');
            if (value > ulong.MaxValue / 10 || (value == ulong.MaxValue / 10 && digit > ulong.MaxValue % 10))
            {
                value = ulong.MaxValue;
                return false;
            }

            value = (value * 10) + digit;
        }

        return true;
    }

    /// <summary>pid/tgid as page_owner_sort stores them: -1 when missing or unparsable, else strtol's
    /// long truncated to pid_t. <paramref name="outOfRange"/> reports a value that did not fit.</summary>
    public static int ParsePid(ReadOnlySpan<byte> text, Capture capture, out bool outOfRange)
    {
        outOfRange = false;
        if (!capture.Found || capture.Length == 0)
        {
            return -1;
        }

        if (!TryParseDigits(text[capture.Start..capture.End], out ulong value) || value > long.MaxValue)
        {
            outOfRange = true;
            return -1;
        }

        outOfRange = value > int.MaxValue;
        return unchecked((int)value);
    }

    /// <summary>ts_nsec: UINT64_MAX (the C tool's -1) when missing or out of range.</summary>
    public static ulong ParseTimestamp(ReadOnlySpan<byte> text, Capture capture, out bool outOfRange)
    {
        outOfRange = false;
        if (!capture.Found || capture.Length == 0)
        {
            return ulong.MaxValue;
        }

        if (!TryParseDigits(text[capture.Start..capture.End], out ulong value))
        {
            outOfRange = true;
            return ulong.MaxValue;
        }

        return value;
    }

    /// <summary>CMA and SLAB come from the record's PFN line (its block type and page flags).</summary>
    public static int PfnLineAllocator(ReadOnlySpan<byte> pfnLine)
    {
        int allocator = 0;
        if (pfnLine.IndexOf("CMA"u8) >= 0)
        {
            allocator |= AllocatorCma;
        }

        if (pfnLine.IndexOf("slab"u8) >= 0)
        {
            allocator |= AllocatorSlab;
        }

        return allocator;
    }

    /// <summary>get_allocator(): VMALLOC when "alloc_pages" occurs between the start of the line before
    /// "__vmalloc_node_range" and that match; OTHERS when nothing else applies.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static int Allocator(ReadOnlySpan<byte> text, int pfnAllocator)
    {
        int allocator = pfnAllocator;
        int match = text.IndexOf("__vmalloc_node_range"u8);
        if (match >= 0)
        {
            int lineStart = text[..match].LastIndexOf((byte)'\n');
            int previousLineStart = lineStart <= 0 ? 0 : text[..lineStart].LastIndexOf((byte)'\n') + 1;
            int alloc = text[previousLineStart..].IndexOf("alloc_pages"u8);
            if (alloc >= 0 && previousLineStart + alloc < match)
            {
                allocator |= AllocatorVmalloc;
            }
        }

        return allocator == 0 ? AllocatorOthers : allocator;
    }
}
