using System.Text;
using PageExt.Analysis.Trace;

namespace PageExt.Analysis.Tests.Trace;

public sealed class KmemFieldsTests
{
    private static KmemFields Parse(string text)
    {
        Assert.True(KmemFields.TryParse(Encoding.ASCII.GetBytes(text), out var fields, out string? problem), problem);
        return fields;
    }

    private static (PageField Kind, ulong Pointer) Page(string text)
    {
        var fields = Parse(text);
        fields.TryGetPage(Encoding.ASCII.GetBytes(text), out ulong pointer);
        return (fields.PageKind, pointer);
    }

    [Fact]
    public void Pfn_is_decimal_without_0x_and_hex_with_it()
    {
        Assert.Equal(1155800UL, Parse("page=ffffea0003db9f40 pfn=1155800 order=0").Pfn);
        Assert.Equal(0x182190UL, Parse("page=00000000dc8c03bd pfn=0x182190 order=2").Pfn);
    }

    [Fact]
    public void Pfn_above_2_pow_32_keeps_its_64_bits()
    {
        Assert.Equal(0x2003d5eaaUL, Parse("pfn=0x2003d5eaa order=0").Pfn);
    }

    [Fact]
    public void Page_pointer_in_every_spelling()
    {
        Assert.Equal((PageField.Pointer, 0xffffea0003db9f40UL), Page("page=ffffea0003db9f40 pfn=1"));
        Assert.Equal(PageField.Pointer, Parse("page=00000000dc8c03bd pfn=1").PageKind);
        Assert.Equal((PageField.Pointer, 0x3070e0UL), Page("page=0x3070e0 pfn=3174624"));
        Assert.Equal(PageField.Null, Parse("page=          (null) pfn=0 order=0").PageKind);
        Assert.Equal(PageField.Null, Parse("page= (null) pfn=0 ...").PageKind);
        Assert.Equal(PageField.Null, Parse("page=(null) pfn=0").PageKind);
        Assert.Equal(PageField.Null, Parse("page=0000000000000000 pfn=0 order=9").PageKind);
        Assert.Equal(PageField.Hidden, Parse("page=(____ptrval____) pfn=5 order=0").PageKind);
        Assert.Equal(PageField.Absent, Parse("pfn=5 order=0").PageKind);
    }

    [Fact]
    public void Padded_null_page_does_not_hide_the_fields_after_it()
    {
        var fields = Parse("page=          (null) pfn=0 order=3 migratetype=1 gfp_flags=GFP_KERNEL");
        Assert.Equal((true, 0UL, 3, 1), (fields.HasPfn, fields.Pfn, fields.Order, fields.Migratetype));
    }

    [Fact]
    public void Vendor_and_retired_fields_are_accepted_and_known_ones_read_in_any_order()
    {
        var fields = Parse("gfp_flags=GFP_HIGHUSER|__GFP_ZERO nr_free=3650 cold=1 order=2 migratetype=0 pfn=970744 page=00000000d2be5665");
        Assert.Equal((970744UL, 2, 0), (fields.Pfn, fields.Order, fields.Migratetype));
        Assert.Equal("GFP_HIGHUSER|__GFP_ZERO", "gfp_flags=GFP_HIGHUSER|__GFP_ZERO nr_free=3650 cold=1 order=2 migratetype=0 pfn=970744 page=00000000d2be5665".Substring(fields.GfpStart, fields.GfpLength));
    }

    [Fact]
    public void Zone_locked_and_extfrag_fields()
    {
        var locked = Parse("page=0000000012345678 pfn=0x100 order=0 migratetype=1 percpu_refill=1");
        Assert.Equal(1, locked.PercpuRefill);
        var extfrag = Parse("page=ffffea0064142000 pfn=26235008 alloc_order=3 fallback_order=3 pageblock_order=9 alloc_migratetype=0 fallback_migratetype=2 fragmenting=1 change_ownership=1");
        Assert.Equal((3, 3, 9, 0, 2, 1), (extfrag.AllocOrder, extfrag.FallbackOrder, extfrag.PageblockOrder, extfrag.AllocMigratetype, extfrag.FallbackMigratetype, extfrag.ChangeOwnership));
    }

    [Fact]
    public void A_null_pfn_of_minus_one_is_no_pfn()
    {
        Assert.False(Parse("page=(null) pfn=18446744073709551615 order=0").HasPfn);
        Assert.False(Parse("page=(null) pfn=0xffffffffffffffff order=0").HasPfn);
    }

    [Theory]
    [InlineData("pfn=12x order=0")]
    [InlineData("pfn=0x order=0")]
    [InlineData("pfn=99999999999999999999999 order=0")]
    [InlineData("pfn=1 order=-1")]
    [InlineData("pfn=1 order=99999999999")]
    public void Broken_numbers_are_refused(string text)
    {
        Assert.False(KmemFields.TryParse(Encoding.ASCII.GetBytes(text), out _, out string? problem));
        Assert.NotNull(problem);
    }

    [Theory]
    [InlineData("0", true, 0UL)]
    [InlineData("1234", true, 1234UL)]
    [InlineData("9999999999999999999", true, 9999999999999999999UL)]
    [InlineData("18446744073709551615", true, ulong.MaxValue)]
    [InlineData("18446744073709551616", false, 0UL)]
    [InlineData("99999999999999999999", false, 0UL)]
    [InlineData("000000000000000000001", false, 0UL)]
    [InlineData("0x10", true, 16UL)]
    [InlineData("12a", false, 0UL)]
    [InlineData("", false, 0UL)]
    public void Numbers_parse_to_the_full_64_bits_and_no_further(string text, bool parses, ulong expected)
    {
        Assert.Equal(parses, KmemFields.TryParseNumber(Encoding.ASCII.GetBytes(text), out ulong value));
        if (parses)
        {
            Assert.Equal(expected, value);
        }
    }
}
