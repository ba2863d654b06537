using System.Globalization;
using System.Text;

namespace PageExt.DebugPageAlloc;

/// <summary>
/// print_hex_dump(level, "", DUMP_PREFIX_ADDRESS, 16, 1, buf, len, true) (lib/hexdump.c), the one
/// shape the poisoning report uses: rows of 16 one-byte groups starting at the first byte given
/// (not aligned down), each prefixed with the byte's address, with the ASCII column at 49
/// characters after the start of the hex, as hex_dump_to_buffer pads it.
/// </summary>
internal static class HexDump
{
    public const int RowBytes = 16;

    /// <summary>rowsize * 2 + rowsize / groupsize + 1.</summary>
    private const int AsciiColumn = (RowBytes * 2) + RowBytes + 1;

    /// <summary>Append one line per row of <paramref name="bytes"/>, the first byte being at <paramref name="address"/>.</summary>
    public static void Append(StringBuilder text, ulong address, ReadOnlySpan<byte> bytes)
    {
        for (int row = 0; row < bytes.Length; row += RowBytes)
        {
            var line = bytes.Slice(row, Math.Min(RowBytes, bytes.Length - row));
            text.Append((address + (ulong)row).ToString("x16", CultureInfo.InvariantCulture)).Append(": ");
            int start = text.Length;
            for (int i = 0; i < line.Length; i++)
            {
                if (i != 0)
                {
                    text.Append(' ');
                }

                text.Append(line[i].ToString("x2", CultureInfo.InvariantCulture));
            }

            text.Append(' ', AsciiColumn - (text.Length - start));
            foreach (byte b in line)
            {
                // isascii(c) && isprint(c), else '.'.
                text.Append(b is >= 0x20 and < 0x7f ? (char)b : '.');
            }

            text.Append('\n');
        }
    }
}
