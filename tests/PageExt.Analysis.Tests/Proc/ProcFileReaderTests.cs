using System.Text;
using PageExt.Analysis.Inputs;
using PageExt.Analysis.Proc;
using PageExt.Analysis.Text;

namespace PageExt.Analysis.Tests.Proc;

public sealed class ProcFileReaderTests
{
    private static (ProcFreeAreas Areas, TextDiagnostics Diagnostics) Read(string text)
    {
        var diagnostics = new TextDiagnostics();
        return (ProcFileReader.Read(new MemoryStream(Encoding.Latin1.GetBytes(text)), diagnostics), diagnostics);
    }

    [Fact]
    public void Buddyinfo_gives_free_blocks_per_order_per_zone()
    {
        var (areas, diagnostics) = Read(File.ReadAllText(TestData.Sample("linux-6.18-buddyinfo.txt")));
        Assert.Equal(0, diagnostics.Warnings);
        Assert.Equal(["DMA", "DMA32", "Normal"], areas.Zones.Select(z => z.Name));
        Assert.Equal([346L, 226, 201, 229, 373, 319, 180, 116, 57, 37, 80], areas.Zones[2].FreeBlocksPerOrder);
    }

    [Fact]
    public void Pagetypeinfo_sums_its_migrate_types_into_buddyinfo()
    {
        var (pagetype, diagnostics) = Read(File.ReadAllText(TestData.Sample("linux-6.18-pagetypeinfo.txt")));
        var (buddy, _) = Read(File.ReadAllText(TestData.Sample("linux-6.18-buddyinfo.txt")));
        Assert.Equal(0, diagnostics.Warnings);
        Assert.Equal(9, pagetype.PageblockOrder);
        Assert.Equal(buddy.Zones.Select(z => z.FreeBlocksPerOrder.ToArray()), pagetype.Zones.Select(z => z.FreeBlocksPerOrder.ToArray()));
        Assert.Contains(new ProcBlockCount(0, "Normal", "Reclaimable", 17, false), pagetype.BlockCounts);
    }

    [Fact]
    public void Lines_wrapped_by_a_mail_client_are_joined_and_named()
    {
        var (areas, diagnostics) = Read("Node    0, zone   Normal, type    Unmovable   3864    728    394    216    129\n47     18      9      1      0      0\n");
        Assert.Equal([3864L, 728, 394, 216, 129, 47, 18, 9, 1, 0, 0], Assert.Single(areas.Zones).FreeBlocksPerOrder);
        Assert.Equal((1L, TextSeverity.Repaired), (diagnostics.Kept[0].Line, diagnostics.Kept[0].Severity));
    }

    [Fact]
    public void A_row_with_the_wrong_number_of_counts_is_named_and_skipped()
    {
        var (areas, diagnostics) = Read("Number of blocks type     Unmovable      Movable\nNode 0, zone   Normal          135            3     7\n");
        Assert.Empty(areas.BlockCounts);
        Assert.Equal((2L, TextSeverity.Skipped), (diagnostics.Kept[0].Line, diagnostics.Kept[0].Severity));
    }
}
