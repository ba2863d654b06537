using System.Text;
using PageExt.Analysis.Inputs;
using PageExt.Analysis.Text;

namespace PageExt.Analysis.Tests.Inputs;

public sealed class InputDetectorTests
{
    [Theory]
    [InlineData("Page allocated via order 0, mask 0xcc0(GFP_KERNEL)\n", "PageOwnerDump")]
    [InlineData("[   14.556172] page_owner tracks the page as allocated\n", "KernelLog")]
    [InlineData("BUG: Bad page state in process cc1  pfn:bae1d\n", "KernelLog")]
    [InlineData(" post_alloc_hook+0x177/0x1a0\nnr_base_pages: 16\n", "PageOwnerStacks")]
    [InlineData("handle: 42\nnr_base_pages: 20824\n", "PageOwnerStacks")]
    [InlineData("699487 times:\nPage allocated via order 0, mask 0x280da\n", "SortOutput")]
    [InlineData("23091 times, 23164 pages, allocated by OTHERS\n", "SortOutput")]
    [InlineData("Page block order: 9\nPages per block:  512\n", "PageTypeInfo")]
    [InlineData("Node 0, zone      DMA      0      0      0      0      0      0      0      0      1      1      3 \n", "BuddyInfo")]
    [InlineData("Node 0, zone      DMA\n  per-node stats\n", "ZoneInfo")]
    [InlineData("hello\nworld\n", "Unknown")]
    public void Tells_the_kind_by_content(string head, string kind) =>
        Assert.Equal(Enum.Parse<InputKind>(kind), InputDetector.Detect(Encoding.Latin1.GetBytes(head)));

    [Fact]
    public void A_boot_log_with_no_report_yet_is_a_kernel_log_by_its_prefixes()
    {
        var head = string.Concat(Enumerable.Range(0, 100).Select(i => $"[    0.{i:000000}] Memory: {i}K available\n"));
        Assert.Equal(InputKind.KernelLog, InputDetector.Detect(Encoding.Latin1.GetBytes(head)));
    }

    [Fact]
    public void Opening_replays_the_head_so_the_stream_reads_whole()
    {
        byte[] text = Encoding.Latin1.GetBytes(string.Concat(Enumerable.Repeat("handle: 1\nnr_base_pages: 2\n\n", 40000)));
        using var opened = KernelText.Open(new MemoryStream(text));
        using var copy = new MemoryStream();
        opened.Stream.CopyTo(copy);
        Assert.Equal(InputKind.PageOwnerStacks, opened.Kind);
        Assert.Equal(text, copy.ToArray());
    }
}
