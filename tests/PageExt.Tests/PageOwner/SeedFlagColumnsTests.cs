using PageExt.PageOwner;
using PageExt.Pages;

namespace PageExt.Tests.PageOwner;

public class SeedFlagColumnsTests
{
    [Fact]
    public void Reconstructed_3_19_record_columns()
    {
        // "PFN 526335 Block 1027 type 2          Flags   RU LA     " (kernel-reference §1.3)
        var flags = SeedPageFlags.Referenced | SeedPageFlags.Uptodate | SeedPageFlags.Lru | SeedPageFlags.Active;
        Assert.Equal("  RU LA     ", SeedFlagColumns.Format(flags));
        Assert.Equal("   U L      ", SeedFlagColumns.Format(SeedPageFlags.Uptodate | SeedPageFlags.Lru));
        Assert.Equal("            ", SeedFlagColumns.Format(SeedPageFlags.None));
        Assert.Equal("KERUDLASWCBM", SeedFlagColumns.Format((SeedPageFlags)0xfff));
    }

    [Fact]
    public void Columns_parse_back_and_misplaced_letters_fail()
    {
        for (int bits = 0; bits < 1 << 12; bits++)
        {
            string text = SeedFlagColumns.Format((SeedPageFlags)bits);
            Assert.True(SeedFlagColumns.TryParse(text, out var back));
            Assert.Equal(bits, (int)back);
        }

        Assert.False(SeedFlagColumns.TryParse("R           ", out _));
        Assert.False(SeedFlagColumns.TryParse("  RU LA", out _));
    }

    [Fact]
    public void Modern_flags_map_onto_the_seed_columns()
    {
        var modern = PageFlags.Referenced | PageFlags.Uptodate | PageFlags.Lru | PageFlags.Active | PageFlags.Head | PageFlags.Workingset;
        Assert.Equal("  RU LA  C  ", SeedFlagColumns.Format(SeedFlagColumns.FromPageFlags(modern)));
        Assert.Equal("K   D  SW   ", SeedFlagColumns.Format(SeedFlagColumns.FromPageFlags(PageFlags.Locked | PageFlags.Dirty | PageFlags.Writeback, slab: true)));
    }
}
