using PageExt.Formatting;

namespace PageExt.Tests.Formatting;

public class HexDumpTests
{
    private static string Dump(byte[] bytes, ulong address, int addressDigits, int rowSize = 16, int groupSize = 1, bool ascii = true)
    {
        var writer = new StringWriter { NewLine = "\n" };
        HexDump.Print(writer, bytes, address, HexDumpPrefix.Address, rowSize, groupSize, ascii, string.Empty, addressDigits);
        return writer.ToString();
    }

    [Fact]
    public void Ppc32_sample_line_is_reproduced_byte_for_byte()
    {
        string sample = Samples.Read("2022-bugzilla-215389-ppc32-pagealloc-memory-corruption-5.19.txt").Split('\n')[1];
        Assert.Equal("fffdfff0: 00 00 00 00                                      ....", sample);
        Assert.Equal(sample + "\n", Dump([0, 0, 0, 0], 0xfffdfff0, addressDigits: 8));
    }

    [Fact]
    public void Ia64_sample_hex_columns_match()
    {
        // That report was posted with the ASCII column cut off; the hex part must match exactly.
        string[] sample = Samples.Read("2021-lkml-ia64-pagealloc-memory-corruption-with-page_owner-5.12.txt").Split('\n');
        byte[] bytes = Convert.FromHexString(
            "1100000000000000301dd2ffff0f0060" +
            "b01dd2ffff0f0060" + "90fe1c0008000020");
        string[] lines = Dump(bytes, 0xe00000014cd61d10, addressDigits: 16).Split('\n');
        Assert.StartsWith(sample[1], lines[0], StringComparison.Ordinal);
        Assert.StartsWith(sample[2], lines[1], StringComparison.Ordinal);
        Assert.Equal(sample[1] + "  ........0......`", lines[0]);
        Assert.Equal(sample[2] + "  .......`....... ", lines[1]);
    }

    [Fact]
    public void Ascii_column_starts_49_characters_after_the_hex_and_rows_start_at_the_buffer()
    {
        byte[] bytes = new byte[20];
        for (int i = 0; i < bytes.Length; i++)
        {
            bytes[i] = (byte)(0x41 + i);
        }

        bytes[3] = 0x7f;
        bytes[4] = 0x1f;
        bytes[5] = 0xaa;
        string text = Dump(bytes, 0x1003, addressDigits: 8);
        Assert.Equal(
            "00001003: 41 42 43 7f 1f aa 47 48 49 4a 4b 4c 4d 4e 4f 50  ABC...GHIJKLMNOP\n" +
            "00001013: 51 52 53 54                                      QRST\n",
            text);
        Assert.Equal(49, text.IndexOf("ABC", StringComparison.Ordinal) - "00001003: ".Length);
    }

    [Fact]
    public void Default_address_width_is_the_pointer_width()
    {
        Assert.Equal(new string('0', HexDump.DefaultAddressDigits - 1) + "1: 2a" + new string(' ', 47) + "*\n", Dump([0x2a], 1, 0));
    }

    [Fact]
    public void Wider_groups_read_little_endian_and_move_the_ascii_column()
    {
        byte[] bytes = [0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08];
        Assert.Equal("0201 0403 0605 0807" + new string(' ', 41 - 19) + "........", HexDump.FormatRow(bytes, 16, 2));
        Assert.Equal("0807060504030201" + new string(' ', 35 - 16) + "........", HexDump.FormatRow(bytes, 16, 8));
        // A length the group does not divide falls back to bytes.
        Assert.Equal("01 02 03", HexDump.FormatRow(bytes.AsSpan(0, 3), 16, 2, ascii: false));
    }

    [Fact]
    public void Offset_and_no_prefix_forms()
    {
        var writer = new StringWriter();
        HexDump.Print(writer, new byte[17], 0xdead, HexDumpPrefix.Offset, ascii: false, prefix: "pfx ");
        Assert.Equal(
            "pfx 00000000: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00\n" +
            "pfx 00000010: 00\n",
            writer.ToString());
        writer = new StringWriter();
        HexDump.Print(writer, [0xff], 0, HexDumpPrefix.None, ascii: false);
        Assert.Equal("ff\n", writer.ToString());
    }
}
