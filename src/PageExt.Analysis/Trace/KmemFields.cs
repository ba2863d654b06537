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
    public ulong Page;
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

            int end = text[i..].IndexOf((byte)' ');
            end = end < 0 ? text.Length : i + end;
            var token = text[i..end];
            int eq = token.IndexOf((byte)'=');
            if (eq <= 0)
            {
                // Words without '=' (a mail's "...", the collapsed "(null)" handled below) carry nothing.
                i = end;
                continue;
            }

            var key = token[..eq];
            var value = token[(eq + 1)..];
            if (key.SequenceEqual("page"u8))
            {
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
                    ParsePage(value, ref fields);
                }
            }
            else if (key.SequenceEqual("pfn"u8))
            {
                if (!TryParseNumber(value, out ulong pfn))
                {
                    problem = "pfn= is not a decimal or 0x hex number";
                    return false;
                }

                // NULL pages print pfn 0; a raw -1 (the v4.1 ring buffer's NULL) is no page either.
                fields.HasPfn = pfn != ulong.MaxValue;
                fields.Pfn = pfn;
            }
            else if (key.SequenceEqual("gfp_flags"u8))
            {
                fields.GfpStart = i + eq + 1;
                fields.GfpLength = value.Length;
            }
            else if (!TryParseKnownInteger(key, value, ref fields, ref problem))
            {
                return false;
            }

            i = end;
        }

        return true;
    }

    private static bool TryParseKnownInteger(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, ref KmemFields fields, ref string? problem)
    {
        ref int target = ref fields.Order;
        if (key.SequenceEqual("order"u8))
        {
            target = ref fields.Order;
        }
        else if (key.SequenceEqual("migratetype"u8))
        {
            target = ref fields.Migratetype;
        }
        else if (key.SequenceEqual("alloc_order"u8))
        {
            target = ref fields.AllocOrder;
        }
        else if (key.SequenceEqual("fallback_order"u8))
        {
            target = ref fields.FallbackOrder;
        }
        else if (key.SequenceEqual("pageblock_order"u8))
        {
            target = ref fields.PageblockOrder;
        }
        else if (key.SequenceEqual("alloc_migratetype"u8))
        {
            target = ref fields.AllocMigratetype;
        }
        else if (key.SequenceEqual("fallback_migratetype"u8))
        {
            target = ref fields.FallbackMigratetype;
        }
        else if (key.SequenceEqual("change_ownership"u8))
        {
            target = ref fields.ChangeOwnership;
        }
        else if (key.SequenceEqual("percpu_refill"u8))
        {
            target = ref fields.PercpuRefill;
        }
        else
        {
            // fragmenting= is derived; cold=, nr_free= and vendor fields change no ownership.
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

    private static void ParsePage(ReadOnlySpan<byte> value, ref KmemFields fields)
    {
        if (value.SequenceEqual("(null)"u8))
        {
            fields.PageKind = PageField.Null;
            return;
        }

        if (value[0] == '(')
        {
            fields.PageKind = PageField.Hidden;
            return;
        }

        var hex = value.StartsWith("0x"u8) ? value[2..] : value;
        if (!TryParseHex(hex, out ulong pointer))
        {
            fields.PageKind = PageField.Hidden;
            return;
        }

        fields.Page = pointer;
        fields.PageKind = pointer == 0 ? PageField.Null : PageField.Pointer;
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

        foreach (byte b in text)
        {
            uint digit = (uint)(b - '0');
            if (digit > 9 || value > (ulong.MaxValue - digit) / 10)
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
