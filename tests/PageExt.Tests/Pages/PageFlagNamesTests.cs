using PageExt.Pages;

namespace PageExt.Tests.Pages;

public class PageFlagNamesTests
{
    [Fact]
    public void Workingset_page_on_node_0_zone_0()
    {
        Assert.Equal("0x200(workingset|node=0|zone=0)", PageFlagNames.Format(0x200UL));
        Assert.Equal("0x200(workingset|node=0|zone=0)", PageFlagNames.Format(PageFlags.Workingset, 0, 0));
    }

    [Fact]
    public void No_flags_prints_only_the_fields()
    {
        Assert.Equal("0x0(node=0|zone=0)", PageFlagNames.Format(0UL));
        Assert.Equal("0x8000000000000000(node=0|zone=2)", PageFlagNames.Format(PageFlags.None, 0, 2));
    }

    [Fact]
    public void Names_follow_the_kernel_table_order_not_bit_order()
    {
        // Writeback is bit 1 but prints after private_2; waiters (bit 7) prints second.
        var flags = PageFlags.Writeback | PageFlags.Waiters | PageFlags.Locked | PageFlags.HwPoison | PageFlags.Private2;
        Assert.Equal("locked|waiters|private_2|writeback|hwpoison", PageFlagNames.FormatNames(flags));
    }

    [Fact]
    public void Node_and_zone_come_from_the_high_bits_and_the_hex_is_the_whole_word()
    {
        ulong word = (ulong)(PageFlags.Uptodate | PageFlags.Dirty | PageFlags.Lru | PageFlags.Reclaim | PageFlags.SwapBacked)
            | PageFlagsLayout.Pack(3, 2);
        Assert.Equal(3, PageFlagsLayout.Node(word));
        Assert.Equal(2, PageFlagsLayout.Zone(word));
        Assert.Equal("0x8030000000030038(uptodate|dirty|lru|reclaim|swapbacked|node=3|zone=2)", PageFlagNames.Format(word));
    }

    [Fact]
    public void Every_named_flag_prints_once()
    {
        ulong all = 0;
        foreach (var (flag, _) in PageFlagNames.Table)
        {
            all |= (ulong)flag;
        }

        Assert.Equal(PageFlagNames.MainFlagsMask, all);
        string names = PageFlagNames.FormatNames((PageFlags)all);
        Assert.Equal(
            "locked|waiters|referenced|uptodate|dirty|lru|active|workingset|owner_priv_1|owner_2|arch_1|reserved|" +
            "private|private_2|writeback|head|reclaim|swapbacked|unevictable|dropbehind|mlocked|hwpoison",
            names);
    }

    [Fact]
    public void Bits_between_the_flags_and_the_fields_are_not_named()
    {
        Assert.Equal("0x400200(workingset|node=0|zone=0)", PageFlagNames.Format(0x400200UL));
    }
}
