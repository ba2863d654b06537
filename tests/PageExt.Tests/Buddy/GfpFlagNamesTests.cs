using PageExt.Buddy;

namespace PageExt.Tests.Buddy;

public class GfpFlagNamesTests
{
    // Masks and their text as real kernels print them (most appear in the dumps in tests/samples).
    [Theory]
    [InlineData(0x140c48u, "0x140c48(GFP_NOFS|__GFP_COMP|__GFP_HARDWALL|__GFP_MOVABLE)")]
    [InlineData(0xd2cc0u, "0xd2cc0(GFP_KERNEL|__GFP_NOWARN|__GFP_NORETRY|__GFP_COMP|__GFP_NOMEMALLOC)")]
    [InlineData(0x52dc0u, "0x52dc0(GFP_KERNEL|__GFP_NOWARN|__GFP_NORETRY|__GFP_COMP|__GFP_ZERO)")]
    [InlineData(0x100dcau, "0x100dca(GFP_HIGHUSER_MOVABLE|__GFP_ZERO)")]
    [InlineData(0xcc0u, "0xcc0(GFP_KERNEL)")]
    [InlineData(0x0u, "0x0()")]
    public void Real_samples_print_byte_for_byte(uint mask, string expected)
    {
        Assert.Equal(expected, GfpFlagNames.FormatWithValue((GfpFlags)mask));
    }

    [Theory]
    [InlineData(GfpFlags.TransHuge, "GFP_TRANSHUGE")]
    [InlineData(GfpFlags.TransHugeLight, "GFP_TRANSHUGE_LIGHT")]
    [InlineData(GfpFlags.HighUser, "GFP_HIGHUSER")]
    [InlineData(GfpFlags.User, "GFP_USER")]
    [InlineData(GfpFlags.KernelAccount, "GFP_KERNEL_ACCOUNT")]
    [InlineData(GfpFlags.Atomic, "GFP_ATOMIC")]
    [InlineData(GfpFlags.NoIo, "GFP_NOIO")]
    [InlineData(GfpFlags.NoWait, "GFP_NOWAIT")]
    [InlineData(GfpFlags.Dma, "GFP_DMA")]
    [InlineData(GfpFlags.Dma32, "GFP_DMA32")]
    [InlineData(GfpFlags.KswapdReclaim, "__GFP_KSWAPD_RECLAIM")]
    [InlineData(GfpFlags.DirectReclaim, "__GFP_DIRECT_RECLAIM")]
    [InlineData(GfpFlags.Atomic | GfpFlags.NoWarn | GfpFlags.Comp, "GFP_ATOMIC|__GFP_NOWARN|__GFP_COMP")]
    [InlineData(GfpFlags.Kernel | GfpFlags.Dma32 | GfpFlags.ZeroTags, "GFP_KERNEL|GFP_DMA32|__GFP_ZEROTAGS")]
    [InlineData(GfpFlags.Write | GfpFlags.Account | GfpFlags.Movable, "__GFP_MOVABLE|__GFP_ACCOUNT|__GFP_WRITE")]
    [InlineData(GfpFlags.None, "")]
    public void Composites_match_first_then_single_bits_in_table_order(GfpFlags gfp, string expected)
    {
        Assert.Equal(expected, GfpFlagNames.Format(gfp));
    }

    [Fact]
    public void Unnamed_bits_print_as_one_trailing_hex_number()
    {
        Assert.Equal("0x1100cca(GFP_HIGHUSER_MOVABLE|0x1000000)", GfpFlagNames.FormatWithValue((GfpFlags)0x1100ccau));
        Assert.Equal("0x200", GfpFlagNames.Format((GfpFlags)0x200u));
        Assert.Equal("GFP_KERNEL|0x3000200", GfpFlagNames.Format((GfpFlags)0x3000ec0u));
    }

    [Theory]
    [InlineData("GFP_NOFS|__GFP_COMP|__GFP_HARDWALL|__GFP_MOVABLE", 0x140c48u)]
    [InlineData("GFP_NOFS|__GFP_MOVABLE|__GFP_COMP|__GFP_HARDWALL", 0x140c48u)]
    [InlineData("__GFP_MOVABLE | GFP_NOFS|__GFP_HARDWALL|__GFP_COMP", 0x140c48u)]
    [InlineData("GFP_HIGHUSER_MOVABLE|0x1000000", 0x1100ccau)]
    [InlineData("__GFP_DMA|__GFP_DMA32|__GFP_RECLAIM", 0xc05u)]
    [InlineData("0xcc0(GFP_KERNEL)", 0xcc0u)]
    [InlineData("0x0()", 0u)]
    [InlineData("", 0u)]
    public void Parse_is_order_independent_and_accepts_the_full_form(string text, uint expected)
    {
        Assert.True(GfpFlagNames.TryParse(text, out var gfp));
        Assert.Equal(expected, (uint)gfp);
    }

    [Theory]
    [InlineData("GFP_KERNAL")]
    [InlineData("GFP_KERNEL|")]
    [InlineData("GFP_KERNEL||__GFP_COMP")]
    [InlineData("0xzz")]
    [InlineData("0xcc0(GFP_NOFS)")]
    [InlineData("0xcc0(GFP_KERNEL")]
    [InlineData("gfp_kernel")]
    public void Parse_rejects_unknown_names_and_inconsistent_values(string text)
    {
        Assert.False(GfpFlagNames.TryParse(text, out _));
    }

    [Fact]
    public void Every_mask_up_to_24_bits_round_trips_through_format_and_parse()
    {
        // Exhaustive over the defined bits' combinations would be 2^23; a fixed stride covers every
        // bit in many combinations while staying quick.
        for (uint mask = 0; mask < (1u << 24); mask += 4099)
        {
            string text = GfpFlagNames.Format((GfpFlags)mask);
            Assert.True(GfpFlagNames.TryParse(text, out var back), text);
            Assert.Equal(mask, (uint)back);
        }
    }
}
