using PageExt.Analysis.Dump;

namespace PageExt.Analysis.Pictures;

/// <summary>
/// The fields of a record's "PFN" line, in every generation: v6.5+ "PFN 0x%lx type %s Block %lu type
/// %s Flags ...", v4.4-v6.4 the same with a decimal PFN, and the 2014 seed's "PFN %lu Block %lu type
/// %d %s Flags ..." whose block type is a number in the 3.19 enum and whose page type shows only as
/// the word "Fallback" when it differs from the block's.
/// </summary>
internal readonly ref struct PfnLine
{
    /// <summary>migratetype_names of 3.19, by the number the seed prints (4 is CMA only with CONFIG_CMA).</summary>
    private static readonly string[] s_seedTypeNames = ["Unmovable", "Reclaimable", "Movable", "Reserve", "CMA or Isolate", "Isolate"];

    public ulong Pfn { get; private init; }

    public ulong Block { get; private init; }

    /// <summary>The page's type, from its gfp mask; empty in the 2014 format.</summary>
    public ReadOnlySpan<byte> PageType { get; private init; }

    /// <summary>The block's type as printed: a name, or the seed's number.</summary>
    public ReadOnlySpan<byte> BlockType { get; private init; }

    /// <summary>The page's type differs from its block's: a fallback allocation, what makes a block mixed.</summary>
    public bool Fallback { get; private init; }

    public static bool TryParse(ReadOnlySpan<byte> line, out PfnLine parsed)
    {
        parsed = default;
        if (!line.StartsWith("PFN "u8))
        {
            return false;
        }

        var rest = line[4..];
        if (!TryNumber(ref rest, out ulong pfn))
        {
            return false;
        }

        ReadOnlySpan<byte> pageType = [];
        if (rest.StartsWith(" type "u8))
        {
            rest = rest[6..];
            pageType = Token(ref rest);
        }

        if (!rest.StartsWith(" Block "u8))
        {
            return false;
        }

        rest = rest[7..];
        if (!TryNumber(ref rest, out ulong block) || !rest.StartsWith(" type "u8))
        {
            return false;
        }

        rest = rest[6..];
        var blockType = Token(ref rest);
        bool fallback = pageType.IsEmpty
            ? rest.TrimStart((byte)' ').StartsWith("Fallback"u8)
            : !pageType.SequenceEqual(blockType);
        parsed = new PfnLine { Pfn = pfn, Block = block, PageType = pageType, BlockType = blockType, Fallback = fallback };
        return true;
    }

    /// <summary>The name of a block type as printed; the seed's numbers become 3.19's names.</summary>
    public static string TypeName(ReadOnlySpan<byte> printed)
    {
        if (!printed.IsEmpty && printed.IndexOfAnyExceptInRange((byte)'0', (byte)'9') < 0 && KernelFields.TryParseDigits(printed, out ulong number))
        {
            return number < (ulong)s_seedTypeNames.Length ? s_seedTypeNames[number] : $"type {number}";
        }

        return Reports.RecordDetails.Decode(printed);
    }

    private static ReadOnlySpan<byte> Token(scoped ref ReadOnlySpan<byte> rest)
    {
        int end = rest.IndexOf((byte)' ');
        var token = end < 0 ? rest : rest[..end];
        rest = end < 0 ? [] : rest[end..];
        return token;
    }

    private static bool TryNumber(scoped ref ReadOnlySpan<byte> rest, out ulong value)
    {
        value = 0;
        bool hex = rest.StartsWith("0x"u8);
        int i = hex ? 2 : 0;
        int start = i;
        for (; i < rest.Length; i++)
        {
            int digit = rest[i] switch
            {
                >= (byte)'0' and <= (byte)'9' => rest[i] - '0',
                >= (byte)'a' and <= (byte)'f' when hex => rest[i] - 'a' + 10,
                _ => -1,
            };
            if (digit < 0)
            {
                break;
            }

            if (value > (ulong.MaxValue >> 4))
            {
                return false;
            }

            value = value * (hex ? 16UL : 10UL) + (ulong)digit;
        }

        rest = rest[i..];
        return i > start;
    }
}
