using PageExt.Boot;

namespace PageExt.Tests.Boot;

public class KernelStringsTests
{
    [Theory]
    [InlineData("y", true)]
    [InlineData("Y", true)]
    [InlineData("1", true)]
    [InlineData("t", true)]
    [InlineData("T", true)]
    [InlineData("yes", true)]
    [InlineData("yellow", true)]
    [InlineData("true", true)]
    [InlineData("10", true)]
    [InlineData("on", true)]
    [InlineData("ON", true)]
    [InlineData("oN", true)]
    [InlineData("On", true)]
    [InlineData("onion", true)]
    [InlineData("n", false)]
    [InlineData("N", false)]
    [InlineData("0", false)]
    [InlineData("f", false)]
    [InlineData("F", false)]
    [InlineData("no", false)]
    [InlineData("false", false)]
    [InlineData("off", false)]
    [InlineData("OFF", false)]
    [InlineData("oF", false)]
    [InlineData("0xyz", false)]
    public void Kstrtobool_accepts_the_kernel_spellings(string text, bool expected)
    {
        Assert.True(KernelStrings.TryParseBool(text, out bool value));
        Assert.Equal(expected, value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("o")]
    [InlineData("O")]
    [InlineData("ok")]
    [InlineData("maybe")]
    [InlineData("2")]
    [InlineData(" y")]
    [InlineData("enable")]
    [InlineData("-1")]
    public void Kstrtobool_rejects_everything_else(string text)
    {
        Assert.False(KernelStrings.TryParseBool(text, out _));
    }

    [Theory]
    [InlineData("0", 0UL)]
    [InlineData("5", 5UL)]
    [InlineData("+7", 7UL)]
    [InlineData("12\n", 12UL)]
    [InlineData("18446744073709551615", ulong.MaxValue)]
    public void Decimal_accepts_kstrtoul_base_10(string text, ulong expected)
    {
        Assert.True(KernelStrings.TryParseDecimal(text, out ulong value));
        Assert.Equal(expected, value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("+")]
    [InlineData("-1")]
    [InlineData("0x10")]
    [InlineData("1 ")]
    [InlineData("1.5")]
    [InlineData("18446744073709551616")]
    public void Decimal_rejects_signs_hex_garbage_and_overflow(string text)
    {
        Assert.False(KernelStrings.TryParseDecimal(text, out _));
    }

    [Theory]
    [InlineData("0", 0UL)]
    [InlineData("4096", 4096UL)]
    [InlineData("4k", 4096UL)]
    [InlineData("64M", 64UL << 20)]
    [InlineData("64m", 64UL << 20)]
    [InlineData("2G", 2UL << 30)]
    [InlineData("1T", 1UL << 40)]
    [InlineData("1P", 1UL << 50)]
    [InlineData("1E", 1UL << 60)]
    [InlineData("0x100000", 1UL << 20)]
    [InlineData("0x10M", 16UL << 20)]
    [InlineData("010M", 8UL << 20)]
    public void Memparse_reads_bases_and_suffixes(string text, ulong expected)
    {
        Assert.True(KernelStrings.TryParseSize(text, out ulong bytes));
        Assert.Equal(expected, bytes);
    }

    [Theory]
    [InlineData("")]
    [InlineData("M")]
    [InlineData("12Q")]
    [InlineData("12MB")]
    [InlineData("0x")]
    [InlineData("-4K")]
    [InlineData("16E")]
    [InlineData("99999999999999999999")]
    public void Memparse_rejects_bad_sizes_and_overflow(string text)
    {
        Assert.False(KernelStrings.TryParseSize(text, out _));
    }

    [Theory]
    [InlineData(0UL, "0")]
    [InlineData(4095UL, "4095")]
    [InlineData(4096UL, "4K")]
    [InlineData(64UL << 20, "64M")]
    [InlineData(3UL << 30, "3G")]
    [InlineData((1UL << 30) + 4096, "1048580K")]
    [InlineData(8UL << 60, "8E")]
    public void FormatSize_uses_the_largest_exact_suffix_and_round_trips(ulong bytes, string expected)
    {
        Assert.Equal(expected, KernelStrings.FormatSize(bytes));
        Assert.True(KernelStrings.TryParseSize(expected, out ulong back));
        Assert.Equal(bytes, back);
    }
}
