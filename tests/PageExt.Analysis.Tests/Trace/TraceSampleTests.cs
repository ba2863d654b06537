using PageExt.Analysis.Trace;

namespace PageExt.Analysis.Tests.Trace;

/// <summary>Every real excerpt in tests/samples/trace (SOURCE.md there says where each came from).</summary>
public sealed class TraceSampleTests
{
    private static TraceRun Sample(string name) => TraceRun.Of(File.ReadAllBytes(TestData.Sample(Path.Combine("trace", name))));

    [Fact]
    public void Every_sample_file_has_a_provenance_row_and_a_test()
    {
        string folder = Path.GetDirectoryName(TestData.Sample(Path.Combine("trace", "SOURCE.md")))!;
        string source = File.ReadAllText(Path.Combine(folder, "SOURCE.md"));
        foreach (var file in Directory.GetFiles(folder, "*.txt").Select(Path.GetFileName))
        {
            Assert.Contains($"`{file}`", source, StringComparison.Ordinal);
        }

        Assert.Equal(Directory.GetFiles(folder, "*.txt").Length, typeof(TraceSampleTests).GetMethods().Count(m => m.Name.StartsWith("Sample_", StringComparison.Ordinal)));
    }

    [Fact]
    public void Sample_2010_pre_3_3_free_direct_is_a_free_of_an_unseen_page()
    {
        var run = Sample("2010-lkml-akpm-mm_page_free_direct-2.6.3x.txt");
        Assert.Equal((1L, 0L, 0L), (run.Counts.Events[(int)KmemEventKind.Free], run.Records, run.Diagnostics.Count));
        Assert.Equal([1L], run.Counts.UntrackedFrees.FirstLines);
    }

    [Fact]
    public void Sample_2016_extfrag_steal_gives_the_block_to_unmovable()
    {
        var run = Sample("2016-lkml-hannes-mm_page_alloc_extfrag-4.x.txt");
        Assert.Equal(0, run.Diagnostics.Count);
        Assert.Equal("1,1110217281000,0x1905080,51240,3,3,9,Unmovable,Reclaimable,1,1,Reclaimable,Unmovable", run.ExtfragCsv.Split('\n')[1]);
    }

    [Fact]
    public void Sample_2019_empty_ftrace_header_holds_no_event_and_no_bad_line()
    {
        var run = Sample("2019-github-webosose-empty-ftrace-header-4.x.txt");
        Assert.Equal((0L, 0L, 11L), (run.Counts.KmemEvents, run.Diagnostics.Count, run.Counts.Lines));
    }

    [Fact]
    public void Sample_2019_perf_script_callchains_become_kernel_stacks()
    {
        var run = Sample("2019-tip-kairui-song-perf-script-callchains-5.1-rc3.txt");
        Assert.Equal((2L, 0L), (run.Records, run.Diagnostics.Count));
        Assert.Equal(
            "Page allocated via order 0, mask 0xcc0(GFP_KERNEL), pid 6503, tgid 6503 (perf), ts 1567570191000 ns\n"
            + "PFN 0x16c904 type Unmovable Block 2916 type Unmovable Flags 0x0()\n"
            + " __alloc_pages_nodemask+0x22e\n __get_free_pages+0xd\n __pollwait+0x8a\n perf_poll+0x2f\n do_sys_poll+0x252\n"
            + " __x64_sys_poll+0x37\n do_syscall_64+0x5b\n entry_SYSCALL_64_after_hwframe+0x44\n\n"
            + "Page allocated via order 0, mask 0xcc0(GFP_KERNEL), pid 6429, tgid 6429 (perf), ts 22498450000 ns\n"
            + "PFN 0x176a17 type Unmovable Block 2997 type Unmovable Flags 0x0()\n"
            + " __alloc_pages_nodemask+0x22e\n\n",
            run.Dump);
    }

    [Fact]
    public void Sample_2020_perf_script_pfn_beyond_2_pow_25()
    {
        var run = Sample("2020-github-sjp38-lazybox-perf-script-large-pfn.txt");
        Assert.Equal("PFN 0x2f95b76 type Unmovable Block 97453 type Unmovable Flags 0x0()", run.PfnLines.Single());
        Assert.Contains("mask 0x2800(GFP_NOWAIT|__GFP_NOWARN), pid 3837, tgid 3837 (memwalk), ts 383632199000 ns", run.Headers.Single(), StringComparison.Ordinal);
    }

    [Fact]
    public void Sample_2020_android_nr_free_field_and_collapsed_null_failure()
    {
        var run = Sample("2020-lkml-jaewon-kim-android-4.14-nr_free.txt");
        Assert.Equal((1L, 1L, 0L), (run.Records, run.Counts.FailedAllocations, run.Diagnostics.Count));
        Assert.Equal("PFN 0xecff8 type Unmovable Block 1895 type Unmovable Flags 0x0()", run.PfnLines.Single());
        Assert.Contains("(GFP_HIGHUSER|__GFP_ZERO)", run.Headers.Single(), StringComparison.Ordinal);
    }

    [Fact]
    public void Sample_2021_function_graph_failed_thp_holds_nothing()
    {
        var run = Sample("2021-lkml-yu-zhao-function_graph-failed-thp-5.12.txt");
        Assert.Equal((0L, 1L, 0L), (run.Records, run.Counts.FailedAllocations, run.Diagnostics.Count));
    }

    [Fact]
    public void Sample_2021_function_graph_abstime_gives_time_and_cpu()
    {
        var run = Sample("2021-flamegraph-function_graph-abstime-5.x.txt");
        Assert.Equal("Page allocated via order 0, mask 0x100dca(GFP_HIGHUSER_MOVABLE|__GFP_ZERO), pid 0, tgid 0 (<...>), ts 1287587105144000 ns", run.Headers.Single());
        Assert.Equal("PFN 0x1a0378 type Movable Block 3329 type Movable Flags 0x0()", run.PfnLines.Single());
    }

    [Fact]
    public void Sample_2021_trace_cmd_stack_of_another_cpu_is_not_misattributed()
    {
        var run = Sample("2021-flamegraph-trace-cmd-report-kernel_stack-5.x.txt");
        Assert.Equal((1L, 0L, 0L), (run.Records, run.Counts.Stacks, run.Diagnostics.Count));
        Assert.Equal([2L], run.Counts.StacksWithoutEvent.FirstLines);
        Assert.Equal("PFN 0x3070e0 type Unmovable Block 6200 type Unmovable Flags 0x0()", run.PfnLines.Single());
    }

    [Fact]
    public void Sample_2021_ftrace_stack_whose_event_was_not_quoted_is_counted_not_lost_silently()
    {
        var run = Sample("2021-flamegraph-ftrace-stacktrace-sym-addr-5.x.txt");
        Assert.Equal((0L, 0L, 16L), (run.Counts.KmemEvents, run.Diagnostics.Count, run.Counts.Lines));
        Assert.Equal([1L], run.Counts.StacksWithoutEvent.FirstLines);
    }

    [Fact]
    public void Sample_2022_free_between_other_events_and_the_mails_elision_named()
    {
        var run = Sample("2022-lkml-bfoster-mm_page_free-5.18-rc.txt");
        Assert.Equal((1L, 2L), (run.Counts.KmemEvents, run.Counts.OtherEvents));
        var kept = Assert.Single(run.Diagnostics.Kept);
        Assert.Equal(2, kept.Line);
        Assert.Equal([3L], run.Counts.UntrackedFrees.FirstLines);
    }

    [Fact]
    public void Sample_2025_user_tool_hex_and_named_gfp_same_page_pointer_two_pfns()
    {
        var run = Sample("2025-commit-rostedt-60295b944ff6-user-tool-gfp-6.14.txt");
        Assert.Equal(2, run.Records);
        Assert.Equal(["PFN 0x122233 type Movable Block 2321 type Movable Flags 0x0()", "PFN 0x1d1ac1 type Movable Block 3725 type Movable Flags 0x0()"], run.PfnLines);
        Assert.All(run.Headers, h => Assert.Contains("mask 0x140cca(GFP_HIGHUSER_MOVABLE|__GFP_COMP)", h, StringComparison.Ordinal));
    }
}
