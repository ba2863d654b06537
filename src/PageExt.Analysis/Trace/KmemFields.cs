namespace PageExt.Analysis.Trace;

/// <summary>How an event printed its page= field.</summary>
internal enum PageField : byte
{
    /// <summary>No page= field (a hand-trimmed line).</summary>
    Absent,

    /// <summary>A pointer: raw struct page (before v4.15), hashed (v4.15+), or libtraceevent's 0x form.</summary>
    Pointer,

    /// <summary>NULL: "(null)", padded or collapsed, or all zeros. With pfn=0 on mm_page_alloc: a failed allocation.</summary>
    Null,

    /// <summary>"(____ptrval____)" or "(ptrval)": printed before the hash key was ready; identifies nothing.</summary>
    Hidden,
}

/// <summary>
/// The key=value fields of a kmem page event, parsed generically: the order of fields, their radix
/// (pfn decimal before v5.14, 0x hex since) and unknown vendor fields (nr_free=, cold=) do not matter.
/// Integers absent from the line are -1.
/// </summary>
internal struct KmemFields
{
    public bool HasPfn;
    public ulong Pfn;
    public PageField PageKind;

    /// <summary>page='s value as [start, start + length) of the fields text (see <see cref="TryGetPage"/>).</summary>
    public int PageStart;
    public int PageLength;
    public int Order;
    public int Migratetype;
    public int AllocOrder;
    public int FallbackOrder;
    public int PageblockOrder;
    public int AllocMigratetype;
    public int FallbackMigratetype;
    public int ChangeOwnership;
    public int PercpuRefill;

    /// <summary>gfp_flags' value as [start, start + length) of the fields text; length -1 when absent.</summary>
    public int GfpStart;
    public int GfpLength;

    /// <summary>Parses <paramref name="text"/>; on failure <paramref name="problem"/> is a fixed description.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static bool TryParse(ReadOnlySpan<byte> text, out KmemFields fields, out string? problem)
    {
        fields = default;
        fields.Order = fields.Migratetype = fields.AllocOrder = fields.FallbackOrder = fields.PageblockOrder = -1;
        fields.AllocMigratetype = fields.FallbackMigratetype = fields.ChangeOwnership = fields.PercpuRefill = -1;
        fields.GfpLength = -1;
        problem = null;
        int i = 0;
        while (i < text.Length)
        {
            if (text[i] == ' ')
            {
                i++;
                continue;
            }

            int keyStart = i;
            while (i < text.Length && text[i] is not (byte)'=' and not (byte)' ')
            {
                i++;
            }

            if (i == text.Length || text[i] == ' ' || i == keyStart)
            {
                // Words without '=' (a mail's "...", the collapsed "(null)" handled below) carry nothing.
                continue;
            }

            var key = text[keyStart..i];
            int valueStart = ++i;
            int space = text[i..].IndexOf((byte)' ');
            i = space < 0 ? text.Length : i + space;
            var value = text[valueStart..i];
            if (!Apply(key, value, text, valueStart, ref i, ref fields, ref problem))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Stores one field; keys are told apart by length first, so each costs one comparison.</summary>
    private static bool Apply(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, ReadOnlySpan<byte> text, int valueStart, ref int end, ref KmemFields fields, ref string? problem)
    {
        switch (key.Length)
        {
            case 3 when key.SequenceEqual("pfn"u8):
                if (!TryParseNumber(value, out ulong pfn))
                {
                    problem = "pfn= is not a decimal or 0x hex number";
                    return false;
                }

                // NULL pages print pfn 0; a raw -1 (the v4.1 ring buffer's NULL) is no page either.
                fields.HasPfn = pfn != ulong.MaxValue;
                fields.Pfn = pfn;
                return true;
            case 4 when key.SequenceEqual("page"u8):
                if (value.IsEmpty)
                {
                    // "page=          (null)": ftrace pads NULL to the pointer's width.
                    int next = text[end..].IndexOfAnyExcept((byte)' ');
                    if (next >= 0 && text[(end + next)..].StartsWith("(null)"u8))
                    {
                        fields.PageKind = PageField.Null;
                        end += next + "(null)".Length;
                    }
                }
                else
                {
                    ParsePage(value, valueStart, ref fields);
                }

                return true;
            case 9 when key.SequenceEqual("gfp_flags"u8):
                fields.GfpStart = valueStart;
                fields.GfpLength = value.Length;
                return true;
            case 5 when key.SequenceEqual("order"u8):
                return TryStore(value, ref fields.Order, ref problem);
            case 11 when key.SequenceEqual("migratetype"u8):
                return TryStore(value, ref fields.Migratetype, ref problem);
            case 11 when key.SequenceEqual("alloc_order"u8):
                return TryStore(value, ref fields.AllocOrder, ref problem);
            case 13 when key.SequenceEqual("percpu_refill"u8):
                return TryStore(value, ref fields.PercpuRefill, ref problem);
            case 14 when key.SequenceEqual("fallback_order"u8):
                return TryStore(value, ref fields.FallbackOrder, ref problem);
            case 15 when key.SequenceEqual("pageblock_order"u8):
                return TryStore(value, ref fields.PageblockOrder, ref problem);
            case 16 when key.SequenceEqual("change_ownership"u8):
                return TryStore(value, ref fields.ChangeOwnership, ref problem);
            case 17 when key.SequenceEqual("alloc_migratetype"u8):
                return TryStore(value, ref fields.AllocMigratetype, ref problem);
            case 20 when key.SequenceEqual("fallback_migratetype"u8):
                return TryStore(value, ref fields.FallbackMigratetype, ref problem);
            default:
                // fragmenting= is derived; cold=, nr_free= and vendor fields change no ownership.
                return true;
        }
    }

    private static bool TryStore(ReadOnlySpan<byte> value, ref int target, ref string? problem)
    {
        if (value.Length == 1 && (uint)(value[0] - '0') <= 9)
        {
            target = value[0] - '0';
            return true;
        }

        if (!TryParseNumber(value, out ulong number) || number > int.MaxValue)
        {
            problem = "a numeric field (order, migratetype, ...) is not a small whole number";
            return false;
        }

        target = (int)number;
        return true;
    }

    /// <summary>Classifies page= without converting it: the pointer is needed only on lines without pfn=.</summary>
    private static void ParsePage(ReadOnlySpan<byte> value, int valueStart, ref KmemFields fields)
    {
        if (value[0] == '(')
        {
            fields.PageKind = value.SequenceEqual("(null)"u8) ? PageField.Null : PageField.Hidden;
            return;
        }

        var digits = value.StartsWith("0x"u8) ? value[2..] : value;
        fields.PageKind = digits.IsEmpty || digits.IndexOfAnyExcept((byte)'0') >= 0 ? PageField.Pointer : PageField.Null;
        fields.PageStart = valueStart;
        fields.PageLength = value.Length;
    }

    /// <summary>The page= pointer of <paramref name="text"/> (the fields these were parsed from); false when it is not hex.</summary>
    public readonly bool TryGetPage(ReadOnlySpan<byte> text, out ulong pointer)
    {
        pointer = 0;
        if (PageKind != PageField.Pointer)
        {
            return false;
        }

        var value = text.Slice(PageStart, PageLength);
        return TryParseHex(value.StartsWith("0x"u8) ? value[2..] : value, out pointer);
    }

    /// <summary>Decimal, or hex with a 0x prefix: the prefix is the only signal of the radix.</summary>
    public static bool TryParseNumber(ReadOnlySpan<byte> text, out ulong value)
    {
        if (text.StartsWith("0x"u8) || text.StartsWith("0X"u8))
        {
            return TryParseHex(text[2..], out value);
        }

        value = 0;
        if (text.IsEmpty || text.Length > 20)
        {
            return false;
        }

        for (int i = 0; i < text.Length; i++)
        {
            uint digit = (uint)(text[i] - '0');

            // Nineteen digits always fit in 64 bits; only a twentieth can overflow, so only it pays the division.
            if (digit > 9 || (i == 19 && value > (ulong.MaxValue - digit) / 10))
            {
                return false;
            }

            value = (value * 10) + digit;
        }

        return true;
    }

    private static bool TryParseHex(ReadOnlySpan<byte> text, out ulong value)
    {
        value = 0;
        if (text.IsEmpty || text.Length > 16)
        {
            return false;
        }

        foreach (byte b in text)
        {
            int digit = b switch
            {
                >= (byte)'0' and <= (byte)'9' => b - '0',
                >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
                >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
                _ => -1,
            };
            if (digit < 0)
            {
                return false;
            }

            value = (value << 4) | (uint)digit;
        }

        return true;
    }
}
