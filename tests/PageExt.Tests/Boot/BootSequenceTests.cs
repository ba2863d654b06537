namespace PageExt.Tests.Boot;

public sealed class BootSequenceTests
{
    /// <summary>
    /// The five steps print in the kernel's order: the command line (setup_arch), the zone ranges and
    /// the free page total (free_area_init, memblock_free_all), page_ext's tables (page_ext_init),
    /// a client's init (init_debug_guardpage), and page_owner's early pages (late init).
    /// </summary>
    [Fact]
    public void Boot_runs_its_steps_in_the_kernels_order()
    {
        using var m = TestMachines.Boot(cmdline: "page_owner=on debug_pagealloc=on");
        var lines = m.Log.Lines.ToList();
        int Index(string text) => lines.FindIndex(l => l.Contains(text, StringComparison.Ordinal));

        int[] order =
        [
            Index("Kernel command line:"),
            Index("Zone ranges:"),
            Index("Memory: "),
            Index("bytes of page_ext"),
            Index("debug_pagealloc: enabled"),
            Index("page owner found early allocated"),
        ];

        Assert.DoesNotContain(-1, order);
        Assert.Equal(order.Order(), order);
    }

    /// <summary>page_ext's tables come from the buddy allocator before page_owner is up, so late init finds exactly their pages.</summary>
    [Fact]
    public void Late_init_marks_the_page_ext_tables_as_early_allocated()
    {
        using var m = TestMachines.Boot(cmdline: "page_owner=on");

        long tablePages = m.PageExt.TotalBytes / 4096;
        Assert.Equal(tablePages, m.PageOwner.EarlyAllocatedPages);
        Assert.True(m.Allocator.HasHooks);
    }
}
