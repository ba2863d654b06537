using System.Text;
using PageExt.Analysis.Dmesg;
using PageExt.Analysis.Inputs;
using PageExt.Analysis.Text;

namespace PageExt.Analysis.Tests.Dmesg;

public sealed class DmesgReaderTests
{
    private const string Frames = " post_alloc_hook+0x1e6/0x210\n get_page_from_freelist+0x72b/0x7a0\n";

    private static (DmesgLog Log, TextDiagnostics Diagnostics) Read(string text)
    {
        var diagnostics = new TextDiagnostics();
        var log = DmesgReader.Read(new MemoryStream(Encoding.Latin1.GetBytes(text)), diagnostics);
        return (log, diagnostics);
    }

    private static OwnerReport Single(string text)
    {
        var (log, diagnostics) = Read(text);
        Assert.Equal(0, diagnostics.Warnings);
        return Assert.Single(log.Reports);
    }

    [Theory]
    [InlineData("page allocated via order 1, migratetype Movable, gfp_mask 0x100cca(GFP_HIGHUSER_MOVABLE)", null, null, null, null, null)]
    [InlineData("page last allocated via order 1, migratetype Movable, gfp_mask 0x100cca(GFP_HIGHUSER_MOVABLE)", null, null, null, null, null)]
    [InlineData("page last allocated via order 1, migratetype Movable, gfp_mask 0x100cca(GFP_HIGHUSER_MOVABLE), pid 37, ts 8173444098740", 37L, null, null, 8173444098740L, null)]
    [InlineData("page last allocated via order 1, migratetype Movable, gfp_mask 0x100cca(GFP_HIGHUSER_MOVABLE), pid 37, ts 81, free_ts 90", 37L, null, null, 81L, 90L)]
    [InlineData("page last allocated via order 1, migratetype Movable, gfp_mask 0x100cca(GFP_HIGHUSER_MOVABLE), pid 80, tgid 79 (insmod), ts 14552004992, free_ts 0", 80L, 79L, "insmod", 14552004992L, 0L)]
    [InlineData("page last allocated via order 1, migratetype Movable, gfp_mask 0x100cca(GFP_HIGHUSER_MOVABLE), pid 80, tgid 79 (insmod), ts 14552004992", 80L, 79L, "insmod", 14552004992L, null)]
    public void Reads_the_allocation_line_of_every_generation(string line, long? pid, long? tgid, string? comm, long? ts, long? freeTs)
    {
        var alloc = Single($"page_owner tracks the page as allocated\n{line}\n{Frames}").Alloc!;
        Assert.Equal((1, "Movable", "0x100cca(GFP_HIGHUSER_MOVABLE)"), (alloc.Order, alloc.MigrateType, alloc.GfpMask));
        Assert.Equal((pid, tgid, comm, ts, freeTs), (alloc.Pid, alloc.Tgid, alloc.Comm, alloc.Ts, alloc.FreeTs));
    }

    [Theory]
    [InlineData("[   14.552875] ", "")]
    [InlineData("[   80.925315][ T8573] ", "T8573")]
    [InlineData("[  80.9253][    C1] ", "C1")]
    [InlineData("<4>[  123.456789] ", "")]
    [InlineData("kern  :alert : [  162.555691] ", "")]
    [InlineData("Nov 27 18:10:28 host kernel: ", "")]
    [InlineData("Nov  7 18:10:28 host kernel: [  162.555691] ", "")]
    [InlineData("2026-11-27T18:10:28.123456+00:00 host kernel: ", "")]
    [InlineData("<4>[ 6207.637280]  [3:  Binder:9343_3:22875] ", "3:  Binder:9343_3:22875")]
    public void Strips_every_log_prefix_and_keeps_the_frames(string prefix, string caller)
    {
        var lines = new[]
        {
            "page dumped because: kasan: bad access detected",
            "page last allocated via order 0, migratetype Unmovable, gfp_mask 0xcc0(GFP_KERNEL), pid 1, tgid 1 (swapper/0), ts 5, free_ts 0",
            " prep_new_page+0xa8/0x10c",
            " get_page_from_freelist+0x7f8/0x1248",
            "page last free pid 2 tgid 2 stack trace:",
            " free_unref_page+0x1/0x2",
        };
        var report = Single(string.Concat(lines.Select(l => prefix + l + "\n")));
        Assert.Equal(caller, report.Caller);
        Assert.Equal(["prep_new_page+0xa8/0x10c", "get_page_from_freelist+0x7f8/0x1248"], report.AllocStack);
        Assert.Equal(["free_unref_page+0x1/0x2"], report.FreeStack);
    }

    [Fact]
    public void A_comm_with_spaces_and_parentheses_runs_to_the_last_ts()
    {
        var alloc = Single("page last allocated via order 0, migratetype Unmovable, gfp_mask 0xcc0(GFP_KERNEL), pid 5202, tgid 5202 (kbnepd (bnep0)), ts 7, free_ts 8\n").Alloc!;
        Assert.Equal(("kbnepd (bnep0)", 7L, 8L), (alloc.Comm, alloc.Ts, alloc.FreeTs));
    }

    [Fact]
    public void A_negative_tgid_is_kept_as_printed()
    {
        var alloc = Single("page last allocated via order 2, migratetype Unmovable, gfp_mask 0x40dc0(GFP_KERNEL|__GFP_COMP|__GFP_ZERO), pid 5095, tgid -432259438 (syz-executor223), ts 5095, free_ts 96070220809\n").Alloc!;
        Assert.Equal(-432259438L, alloc.Tgid);
    }

    [Fact]
    public void The_mm_tree_free_line_gives_pid_tgid_and_ts()
    {
        var report = Single("page last allocated via order 0, migratetype Unmovable, gfp_mask 0xcc0(GFP_KERNEL), pid 1, tgid 1 (init), ts 5\n" + Frames
            + "page last free pid 9 tgid 8 ts 123 stack trace:\n __free_frozen_pages+0x1/0x2\n");
        Assert.Equal((true, 9L, 8L, 123L), (report.FreeStackGiven, report.FreePid, report.FreeTgid, report.FreeTs));
        Assert.Equal(["__free_frozen_pages+0x1/0x2"], report.FreeStack);
    }

    [Fact]
    public void Lines_of_another_caller_inside_a_stack_are_named_and_left_out()
    {
        var (log, diagnostics) = Read(
            "[    1.000000][ T8573] page last allocated via order 0, migratetype Unmovable, gfp_mask 0xcc0(GFP_KERNEL)\n"
            + "[    1.000001][ T8573]  prep_new_page+0xa8/0x10c\n"
            + "[    1.000002][    C1]  tick_sched_timer+0x1/0x2\n"
            + "[    1.000003][ T8573]  get_page_from_freelist+0x7f8/0x1248\n");
        var report = Assert.Single(log.Reports);
        Assert.Equal(["prep_new_page+0xa8/0x10c", "get_page_from_freelist+0x7f8/0x1248"], report.AllocStack);
        var note = Assert.Single(diagnostics.Kept);
        Assert.Equal((3L, TextSeverity.Note), (note.Line, note.Severity));
        Assert.Contains("[C1]", note.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_foreign_line_between_two_frames_is_named_and_the_stack_goes_on()
    {
        var (log, diagnostics) = Read(
            "page last allocated via order 0, migratetype Unmovable, gfp_mask 0xcc0(GFP_KERNEL)\n"
            + " prep_new_page+0xa8/0x10c\n"
            + "usb 1-1: new high-speed USB device number 2 using xhci_hcd\n"
            + " get_page_from_freelist+0x7f8/0x1248\n");
        Assert.Equal(2, Assert.Single(log.Reports).AllocStack.Count);
        var note = Assert.Single(diagnostics.Kept);
        Assert.Equal((3L, TextSeverity.Note), (note.Line, note.Severity));
    }

    [Fact]
    public void A_call_trace_after_the_stack_ends_it()
    {
        var report = Single(
            "page last allocated via order 0, migratetype Unmovable, gfp_mask 0xcc0(GFP_KERNEL)\n"
            + " prep_new_page+0xa8/0x10c\n"
            + "Call Trace:\n"
            + " dump_stack+0x1/0x2\n");
        Assert.Equal(["prep_new_page+0xa8/0x10c"], report.AllocStack);
    }

    [Fact]
    public void An_allocation_line_wrapped_by_a_mail_client_is_joined_and_named()
    {
        var (log, diagnostics) = Read("[  185.350514][ T3647] page allocated via order 0, migratetype Unmovable,\ngfp_mask 0x12cc0(GFP_KERNEL|__GFP_NOWARN|__GFP_NORETRY)\n");
        Assert.Equal("0x12cc0(GFP_KERNEL|__GFP_NOWARN|__GFP_NORETRY)", Assert.Single(log.Reports).Alloc!.GfpMask);
        var repaired = Assert.Single(diagnostics.Kept);
        Assert.Equal((1L, TextSeverity.Repaired), (repaired.Line, repaired.Severity));
    }

    [Fact]
    public void Gfp_names_cut_off_by_the_report_are_closed_and_named()
    {
        var (log, diagnostics) = Read("page last allocated via order 2, migratetype Reclaimable, gfp_mask 0xd2050(__GFP_RECLAIMABLE|_9\n");
        Assert.Equal("0xd2050(__GFP_RECLAIMABLE|_9)", Assert.Single(log.Reports).Alloc!.GfpMask);
        Assert.Equal(TextSeverity.Repaired, Assert.Single(diagnostics.Kept).Severity);
    }

    [Fact]
    public void Symbolizer_additions_are_removed_from_frames()
    {
        var report = Single(
            "page last allocated via order 0, migratetype Unmovable, gfp_mask 0xcc0(GFP_KERNEL)\n"
            + " set_page_owner include/linux/page_owner.h:32 [inline]\n"
            + " post_alloc_hook+0x181/0x1b0 mm/page_alloc.c:1717\n"
            + " get_page_from_freelist (mm/page_alloc.c:? mm/page_alloc.c:3962)\n");
        Assert.Equal(["post_alloc_hook+0x181/0x1b0", "get_page_from_freelist"], report.AllocStack);
    }

    [Fact]
    public void Each_page_of_a_report_flood_is_its_own_report()
    {
        string one = "BUG: Bad page state in process cc1  pfn:bae1d\npage:ffffea0002eb8740 count:-1 mapcount:0 mapping:0 index:0x0\npage dumped because: nonzero _count\n"
            + "page allocated via order 0, migratetype Unmovable, gfp_mask 0x2000200(GFP_NOWAIT|__GFP_NOWARN)\n [<ffffffff8101bc9c>] save_stack_trace+0x26/0x41\n";
        var (log, _) = Read(one + one.Replace("bae1d", "bae1e", StringComparison.Ordinal));
        Assert.Equal([0xbae1dUL, 0xbae1eUL], log.Reports.Select(r => r.Pfn!.Value));
    }

    [Fact]
    public void A_report_without_page_owner_lines_is_kept_without_an_allocation()
    {
        var report = Single("pagealloc: memory corruption\npage:ef4bd80c refcount:1 mapcount:0 mapping:00000000 index:0x1 pfn:0x310ab\npage dumped because: pagealloc: corrupted page details\n");
        Assert.Equal(("pagealloc: memory corruption", 0x310abUL, (OwnerAlloc?)null), (report.Kind, report.Pfn!.Value, report.Alloc));
    }

    [Fact]
    public void Binary_data_is_named_with_its_line()
    {
        var (_, diagnostics) = Read("hello\nab\0cd\n");
        var skipped = Assert.Single(diagnostics.Kept);
        Assert.Equal((2L, TextSeverity.Skipped), (skipped.Line, skipped.Severity));
    }

    [Fact]
    public void Boot_lines_of_page_ext_and_page_owner_are_facts()
    {
        var (log, _) = Read("[    0.000000] allocated 421003264 bytes of page_ext\n[    0.000000] Node 0, zone    DMA32: page owner found early allocated 33 pages\nx: page allocation failure: order:5, mode:0x2040d0\n");
        Assert.Equal([LogFactKind.PageExtAllocated, LogFactKind.EarlyAllocated, LogFactKind.AllocationFailure], log.Facts.Select(f => f.Kind));
    }
}
