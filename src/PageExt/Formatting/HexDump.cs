using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace PageExt.Formatting;

/// <summary>
/// print_hex_dump() and hex_dump_to_buffer() from lib/hexdump.c, byte for byte. page_poison's report
/// calls it as <c>print_hex_dump(KERN_ERR, "", DUMP_PREFIX_ADDRESS, 16, 1, start, len, true)</c>:
/// rows of 16 bytes starting at <c>start</c> (not aligned), each <c>"&lt;addr&gt;: "</c> + bytes as
/// two hex digits separated by single spaces, padded with spaces so that the ASCII column starts
/// 49 characters (<c>rowsize*2 + rowsize/groupsize + 1</c>) after the start of the hex, then the
/// bytes as ASCII (printable 0x20..0x7e as is, everything else '.').
/// The log level is not part of the text. Output lines end with '\n'.
/// </summary>
public static class HexDump
{
    /// <summary>Hex digits the address takes: <c>%p</c> prints a pointer at its full width (16 on 64-bit, 8 on 32-bit).</summary>
    public static int DefaultAddressDigits => IntPtr.Size * 2;

    /// <summary>
    /// print_hex_dump(). <paramref name="address"/> is the (virtual) address of <paramref name="buffer"/>[0];
    /// rows are numbered from it. <paramref name="rowSize"/> is 16 or 32 (others become 16, as in the
    /// kernel); <paramref name="groupSize"/> is 1, 2, 4 or 8 and falls back to 1 when it does not divide
    /// the row or the length. Groups wider than a byte are read little-endian (x86's native order).
    /// </summary>
    public static void Print(
        TextWriter writer,
        ReadOnlySpan<byte> buffer,
        ulong address,
        HexDumpPrefix prefixType = HexDumpPrefix.Address,
        int rowSize = 16,
        int groupSize = 1,
        bool ascii = true,
        string prefix = "",
        int addressDigits = 0)
    {
        if (rowSize != 16 && rowSize != 32)
        {
            rowSize = 16;
        }

        if (addressDigits <= 0)
        {
            addressDigits = DefaultAddressDigits;
        }

        var line = new StringBuilder(rowSize * 4 + 32);
        for (int i = 0; i < buffer.Length; i += rowSize)
        {
            int lineLength = Math.Min(rowSize, buffer.Length - i);
            line.Clear();
            line.Append(prefix);
            switch (prefixType)
            {
                case HexDumpPrefix.Address:
                    line.Append((address + (ulong)i).ToString("x" + addressDigits.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture)).Append(": ");
                    break;
                case HexDumpPrefix.Offset:
                    line.Append(i.ToString("x8", CultureInfo.InvariantCulture)).Append(": ");
                    break;
            }

            AppendRow(line, buffer.Slice(i, lineLength), rowSize, groupSize, ascii);
            line.Append('\n');
            writer.Write(line);
        }
    }

    /// <summary>hex_dump_to_buffer() for one row of at most <paramref name="rowSize"/> bytes.</summary>
    public static string FormatRow(ReadOnlySpan<byte> row, int rowSize = 16, int groupSize = 1, bool ascii = true)
    {
        var sb = new StringBuilder();
        AppendRow(sb, row, rowSize, groupSize, ascii);
        return sb.ToString();
    }

    private static void AppendRow(StringBuilder sb, ReadOnlySpan<byte> row, int rowSize, int groupSize, bool ascii)
    {
        if (rowSize != 16 && rowSize != 32)
        {
            rowSize = 16;
        }

        if (row.Length > rowSize)
        {
            row = row[..rowSize];
        }

        if (groupSize is not (1 or 2 or 4 or 8) || row.Length % groupSize != 0)
        {
            groupSize = 1;
        }

        int start = sb.Length;
        int groups = row.Length / groupSize;
        for (int j = 0; j < groups; j++)
        {
            if (j > 0)
            {
                sb.Append(' ');
            }

            var group = row.Slice(j * groupSize, groupSize);
            ulong value = groupSize switch
            {
                1 => group[0],
                2 => BinaryPrimitives.ReadUInt16LittleEndian(group),
                4 => BinaryPrimitives.ReadUInt32LittleEndian(group),
                _ => BinaryPrimitives.ReadUInt64LittleEndian(group),
            };
            sb.Append(value.ToString("x" + (groupSize * 2).ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture));
        }

        if (!ascii)
        {
            return;
        }

        int asciiColumn = (rowSize * 2) + (rowSize / groupSize) + 1;
        while (sb.Length - start < asciiColumn)
        {
            sb.Append(' ');
        }

        foreach (byte b in row)
        {
            sb.Append(b is >= 0x20 and < 0x7f ? (char)b : '.');
        }
    }
}
