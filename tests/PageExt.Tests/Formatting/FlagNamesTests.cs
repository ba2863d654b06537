using System.Text;
using PageExt.Formatting;

namespace PageExt.Tests.Formatting;

public sealed class FlagNamesTests
{
    private static readonly FlagName[] s_table = [new(0b011, "BOTH"), new(0b001, "LOW"), new(0b010, "HIGH"), new(0b100, "TOP")];

    [Theory]
    [InlineData(0b0000UL, "")]
    [InlineData(0b0011UL, "BOTH")]
    [InlineData(0b0010UL, "HIGH")]
    [InlineData(0b0111UL, "BOTH|TOP")]
    [InlineData(0b1101UL, "LOW|TOP|0x8")]
    [InlineData(0b1000UL, "0x8")]
    public void A_composite_absorbs_its_parts_in_table_order_and_unnamed_bits_follow_in_hex(ulong flags, string expected)
    {
        var sb = new StringBuilder();

        FlagNames.Append(sb, flags, s_table);

        Assert.Equal(expected, sb.ToString());
    }
}
