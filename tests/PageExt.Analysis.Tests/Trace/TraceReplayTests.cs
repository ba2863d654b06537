using System.Text;
using PageExt.Analysis.Trace;

namespace PageExt.Analysis.Tests.Trace;

public sealed class TraceReplayTests
{
    private const long Second = 1_000_000_000;

    [Fact]
    public void Freed_blocks_leave_and_held_blocks_stay_with_their_owner()
    {
        var run = TraceRun.Of(
            Ftrace.Alloc("bash", 100, 0, 1 * Second, 0x1000, 0)
            + Ftrace.Alloc("kworker/0:1", 7, 1, 2 * Second, 0x2000, 2, "GFP_KERNEL|__GFP_COMP")
            + Ftrace.Free("bash", 100, 0, 3 * Second, 0x1000, 0));
        Assert.Equal(1, run.Records);
        Assert.Equal(
            "Page allocated via order 2, mask 0x40cc0(GFP_KERNEL|__GFP_COMP), pid 7, tgid 7 (kworker/0:1), ts 2000000000 ns\n"
            + "PFN 0x2000 type Unmovable Block 16 type Unmovable Flags 0x0()\n\n",
            run.Dump);
        Assert.Equal(0, run.Counts.UntrackedFrees.Count);
    }

    [Fact]
    public void Stack_entry_attaches_to_the_last_event_of_its_cpu_across_interleaved_cpus()
    {
        var run = TraceRun.Of(
            Ftrace.Alloc("a", 1, 0, 10 * Second, 0x100, 0)
            + Ftrace.Alloc("b", 2, 1, 10 * Second + 5, 0x200, 0)
            + Ftrace.Stack("b", 2, 1, 10 * Second + 6, "b_caller+0x1/0x10", "b_root")
            + Ftrace.Stack("a", 1, 0, 10 * Second + 7, "a_caller+0x2/0x20"));
        var records = run.Dump.Split("\n\n");
        Assert.EndsWith(" a_caller+0x2/0x20", records[0], StringComparison.Ordinal);
        Assert.Contains(" b_caller+0x1/0x10\n b_root", records[1], StringComparison.Ordinal);
        Assert.Equal(2, run.Counts.Stacks);
    }

    [Fact]
    public void Stack_of_another_pid_on_the_cpu_is_not_attached()
    {
        var run = TraceRun.Of(
            Ftrace.Alloc("a", 1, 0, Second, 0x100, 0)
            + Ftrace.Stack("z", 99, 0, Second + 1, "someone_else"));
        Assert.DoesNotContain("someone_else", run.Dump, StringComparison.Ordinal);
        Assert.Equal(1, run.Counts.StacksWithoutEvent.Count);
    }

    [Fact]
    public void Free_of_an_untracked_page_and_alloc_over_a_held_page_are_counted_with_lines()
    {
        var run = TraceRun.Of(
            Ftrace.Free("a", 1, 0, Second, 0x500, 0)
            + Ftrace.Alloc("a", 1, 0, 2 * Second, 0x600, 0)
            + Ftrace.Alloc("b", 2, 0, 3 * Second, 0x600, 0));
        Assert.Equal([1L], run.Counts.UntrackedFrees.FirstLines);
        Assert.Equal([3L], run.Counts.AllocationsOverTrackedPages.FirstLines);
        Assert.Contains("pid 2, tgid 2 (b)", run.Dump, StringComparison.Ordinal);
        Assert.Equal(1, run.Records);
    }

    [Fact]
    public void Freeing_one_page_of_a_held_block_splits_it_as_split_page_owner_does()
    {
        var run = TraceRun.Of(
            Ftrace.Alloc("a", 1, 0, Second, 0x800, 2)
            + Ftrace.Free("a", 1, 0, 2 * Second, 0x801, 0));
        Assert.Equal(["PFN 0x800", "PFN 0x802", "PFN 0x803"], run.PfnLines.Select(l => l[..9]).ToArray());
        Assert.All(run.Headers, h => Assert.StartsWith("Page allocated via order 0,", h, StringComparison.Ordinal));
        Assert.Equal(1, run.Counts.SplitBlocks);
    }

    [Fact]
    public void A_bigger_allocation_over_smaller_held_blocks_replaces_them()
    {
        var run = TraceRun.Of(
            Ftrace.Alloc("a", 1, 0, Second, 0x400, 0)
            + Ftrace.Alloc("a", 1, 0, Second, 0x403, 0)
            + Ftrace.Alloc("b", 2, 0, 2 * Second, 0x400, 3));
        Assert.Equal(1, run.Records);
        Assert.Equal(1, run.Counts.AllocationsOverTrackedPages.Count);
    }

    [Fact]
    public void Batched_free_after_mm_page_free_is_not_an_anomaly()
    {
        var batched = Ftrace.Line("a", 1, 0, 3 * Second, t => KmemEventLayout.AppendFreeBatched(t, 0x900));
        var run = TraceRun.Of(Ftrace.Alloc("a", 1, 0, Second, 0x900, 0) + Ftrace.Free("a", 1, 0, 2 * Second, 0x900, 0) + batched);
        Assert.Equal((0L, 1L, 0L), (run.Records, run.Counts.BatchedFreesOfFreePages, run.Counts.UntrackedFrees.Count));
        var alone = TraceRun.Of(Ftrace.Alloc("a", 1, 0, Second, 0x900, 0) + batched);
        Assert.Equal(0, alone.Records);
    }

    [Fact]
    public void Zone_locked_and_pcpu_drain_events_change_no_owner()
    {
        var run = TraceRun.Of(
            Ftrace.Line("a", 1, 0, Second, t => KmemEventLayout.AppendAllocZoneLocked(t, 0xa00, 0, 1, true))
            + Ftrace.Alloc("a", 1, 0, 2 * Second, 0xa00, 0)
            + Ftrace.Line("a", 1, 0, 3 * Second, t => KmemEventLayout.AppendPcpuDrain(t, 0xa00, 0, 1)));
        Assert.Equal(1, run.Records);
        Assert.Equal(1, run.Counts.Events[(int)KmemEventKind.AllocZoneLocked]);
        Assert.Equal(1, run.Counts.Events[(int)KmemEventKind.PcpuDrain]);
    }

    [Fact]
    public void At_rebuilds_the_owners_of_that_moment_by_timestamp_not_by_position()
    {
        // CPU 1's free at 5.0 s is printed before CPU 0's alloc at 4.9 s: local clocks differ.
        string trace = Ftrace.Alloc("a", 1, 0, 1 * Second, 0x100, 0)
            + Ftrace.Alloc("b", 2, 1, 3 * Second, 0x200, 0)
            + Ftrace.Free("a", 1, 1, 5 * Second, 0x100, 0)
            + Ftrace.Alloc("c", 3, 0, (4 * Second) + (9 * Second / 10), 0x300, 0);
        var atFour = TraceRun.Of(trace, new TraceReplayOptions { AtNs = 4 * Second });
        Assert.Equal(["PFN 0x100", "PFN 0x200"], atFour.PfnLines.Select(l => l[..9]).ToArray());
        Assert.Equal(2, atFour.Counts.AfterAt);
        var atEnd = TraceRun.Of(trace);
        Assert.Equal(["PFN 0x200", "PFN 0x300"], atEnd.PfnLines.Select(l => l[..9]).ToArray());
        Assert.Equal(1, atEnd.Counts.TimestampSteps);
        var atFourPointNine = TraceRun.Of(trace, new TraceReplayOptions { AtNs = (4 * Second) + (9 * Second / 10) });
        Assert.Equal(["PFN 0x100", "PFN 0x200", "PFN 0x300"], atFourPointNine.PfnLines.Select(l => l[..9]).ToArray());
    }

    [Fact]
    public void Stack_of_an_event_after_at_is_not_attached_to_an_earlier_one()
    {
        var run = TraceRun.Of(
            Ftrace.Alloc("a", 1, 0, Second, 0x100, 0)
            + Ftrace.Alloc("a", 1, 0, 9 * Second, 0x200, 0)
            + Ftrace.Stack("a", 1, 0, 9 * Second, "late_caller"),
            new TraceReplayOptions { AtNs = 2 * Second });
        Assert.DoesNotContain("late_caller", run.Dump, StringComparison.Ordinal);
    }

    [Fact]
    public void Extfrag_events_record_fallbacks_and_pageblock_ownership_changes()
    {
        string trace = Ftrace.Line("a", 1, 0, Second, t => KmemEventLayout.AppendExtfrag(t, 0x40000, 0, 3, 9, 0, 1, changeOwnership: false))
            + Ftrace.Line("a", 1, 0, 2 * Second, t => KmemEventLayout.AppendExtfrag(t, 0x40010, 0, 9, 9, 0, 1, changeOwnership: true))
            + Ftrace.Alloc("a", 1, 0, 3 * Second, 0x40020, 0, "GFP_HIGHUSER_MOVABLE", 1);
        var run = TraceRun.Of(trace);
        var rows = run.ExtfragCsv.TrimEnd('\n').Split('\n');
        Assert.Equal(ExtfragCsvWriter.Header, rows[0]);
        Assert.Equal("1,1000000000,0x40000,512,0,3,9,Unmovable,Movable,1,0,Movable,Movable", rows[1]);
        Assert.Equal("2,2000000000,0x40010,512,0,9,9,Unmovable,Movable,0,1,Movable,Unmovable", rows[2]);
        Assert.Equal("PFN 0x40020 type Movable Block 512 type Unmovable Flags 0x0()", run.PfnLines.Single());
    }

    [Fact]
    public void Before_4_4_numbering_names_migratetype_1_reclaimable()
    {
        string trace = Ftrace.Line("a", 1, 0, Second, t => KmemEventLayout.AppendExtfrag(t, 0x200, 0, 1, 9, 0, 1, changeOwnership: true));
        Assert.Contains(",Unmovable,Movable,", TraceRun.Of(trace).ExtfragCsv, StringComparison.Ordinal);
        Assert.Contains(",Unmovable,Reclaimable,", TraceRun.Of(trace, new TraceReplayOptions { Before44 = true }).ExtfragCsv, StringComparison.Ordinal);
    }

    [Fact]
    public void Lines_without_pfn_are_keyed_by_their_page_pointer()
    {
        var run = TraceRun.Of(
            "mm_page_alloc: page=00000000aaaa0001 order=0 migratetype=0 gfp_flags=GFP_KERNEL\n"
            + "mm_page_alloc: page=00000000aaaa0002 order=1 migratetype=0 gfp_flags=GFP_KERNEL\n"
            + "mm_page_free: page=00000000aaaa0001 order=0\n");
        Assert.Equal(1, run.Records);
        Assert.StartsWith("Page allocated via order 1,", run.Dump, StringComparison.Ordinal);
        Assert.Empty(run.PfnLines);
        Assert.Equal(2, run.Counts.PointerKeyedAllocations);
    }

    [Fact]
    public void Failed_allocations_hold_nothing()
    {
        var run = TraceRun.Of(
            " 24)               |  /* mm_page_alloc: page=0000000000000000 pfn=0 order=9 migratetype=1 gfp_flags=GFP_HIGHUSER_MOVABLE */\n"
            + "kswapd0-1207  [005] ...1   889.213398: mm_page_alloc: page=          (null) pfn=0 order=0 migratetype=0 gfp_flags=GFP_KERNEL\n");
        Assert.Equal((0L, 2L), (run.Records, run.Counts.FailedAllocations));
    }

    [Fact]
    public void Perf_callchain_keeps_kernel_frames_and_modules_and_drops_user_frames()
    {
        var run = TraceRun.Of(
            "insmod  77 [002]  5.000000:  kmem:mm_page_alloc: page=0x10 pfn=16 order=0 migratetype=0 gfp_flags=GFP_KERNEL\n"
            + "\tffffffff8123 __alloc_pages+0x1 ([kernel.kallsyms])\n"
            + "\tffffffffc065ed5c xfs_buf_get_map+0x1c ([xfs])\n"
            + "\t7f71e92d03e8 __poll+0x18 (/usr/lib64/libc-2.28.so)\n"
            + "\n");
        Assert.Contains(" __alloc_pages+0x1\n xfs_buf_get_map+0x1c [xfs]\n\n", run.Dump, StringComparison.Ordinal);
        Assert.DoesNotContain("__poll", run.Dump, StringComparison.Ordinal);
    }

    [Fact]
    public void Frames_with_no_event_before_them_are_named_once_per_run()
    {
        var run = TraceRun.Of(" => lonely\n => lonelier\n");
        Assert.Equal(1, run.Diagnostics.Count);
        Assert.Contains("line 1: a stack frame with no event", run.DiagnosticText, StringComparison.Ordinal);
    }

    [Fact]
    public void Lost_events_and_overwritten_ring_buffers_are_counted()
    {
        var run = TraceRun.Of(
            "# tracer: nop\n#\n# entries-in-buffer/entries-written: 140080/250880   #P:4\n"
            + "CPU:2 [LOST 17 EVENTS]\nCPU:1 [EVENTS DROPPED]\n##### CPU 3 buffer started ####\n"
            + Ftrace.Alloc("a", 1, 0, Second, 0x100, 0));
        Assert.Equal((110800L, 2L, 18L), (run.Counts.OverwrittenEvents, run.Counts.LostEventLines, run.Counts.LostEvents));
        Assert.Equal(0, run.Diagnostics.Count);
    }

    [Fact]
    public void Gfp_names_of_every_generation_and_hex_give_the_mask_and_the_page_type()
    {
        var run = TraceRun.Of(
            "mm_page_alloc: pfn=0x10 order=0 migratetype=1 gfp_flags=0x140cca\n"
            + "mm_page_alloc: pfn=0x11 order=0 migratetype=2 gfp_flags=GFP_KERNEL|GFP_ZERO|GFP_RECLAIMABLE\n"
            + "mm_page_alloc: pfn=0x12 order=0 migratetype=1 gfp_flags=GFP_HIGHUSER_MOVABLE|GFP_COLD\n"
            + "mm_page_alloc: pfn=0x13 order=0 migratetype=0 gfp_flags=none\n");
        Assert.Equal("Page allocated via order 0, mask 0x140cca(GFP_HIGHUSER_MOVABLE|__GFP_COMP), pid 0, tgid 0 (<...>), ts 0 ns", run.Headers[0]);
        Assert.Contains("mask 0xdd0(GFP_KERNEL|GFP_ZERO|GFP_RECLAIMABLE)", run.Headers[1], StringComparison.Ordinal);
        Assert.Contains("PFN 0x11 type Reclaimable", run.PfnLines[1], StringComparison.Ordinal);
        Assert.Contains("mask 0x100cca(GFP_HIGHUSER_MOVABLE|GFP_COLD)", run.Headers[2], StringComparison.Ordinal);
        Assert.Contains("PFN 0x12 type Movable", run.PfnLines[2], StringComparison.Ordinal);
        Assert.Contains("mask 0x0(none)", run.Headers[3], StringComparison.Ordinal);
    }

    [Fact]
    public void Trace_text_stays_out_of_memory_only_held_blocks_do()
    {
        var text = new StringBuilder();
        for (int i = 0; i < 20_000; i++)
        {
            text.Append(Ftrace.Alloc($"w{i % 50}", i % 50, i % 4, i * 1000L, (ulong)(0x1000 + i), 0));
            text.Append(Ftrace.Stack("w", i % 50, i % 4, (i * 1000L) + 1, $"caller_{i % 7}", "root"));
            text.Append(Ftrace.Free("w", i % 50, i % 4, (i * 1000L) + 2, (ulong)(0x1000 + i), 0));
        }

        var run = TraceRun.Of(text.ToString());
        Assert.Equal(0, run.Records);
        Assert.Equal(7, run.Replay.Stacks.Count);
        Assert.Equal(50, run.Replay.Comms.Count);
    }
}
