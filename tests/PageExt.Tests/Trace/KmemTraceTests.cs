using System.Collections.Concurrent;
using PageExt.Buddy;
using PageExt.PageOwner;
using PageExt.Physical;

namespace PageExt.Tests.Trace;

public sealed class KmemTraceTests
{
    private const string AllEvents = "trace_event=kmem:mm_page_alloc,kmem:mm_page_free";

    private static string TraceOf(Machine machine)
    {
        var text = new StringWriter { NewLine = "\n" };
        machine.Trace.Write(text);
        return text.ToString();
    }

    [Fact]
    public void Without_trace_event_the_client_is_registered_but_its_slot_is_off_and_nothing_is_recorded()
    {
        using var m = TestMachines.Boot();
        Assert.Contains(m.Hooks.Slots, s => s.Name == "trace_event" && !s.Enabled);
        Assert.False(m.Allocator.HasHooks);
        Assert.True(m.TryAllocPages(GfpFlags.Kernel, 0, out var pfn));
        m.FreePages(pfn, 0);
        Assert.Empty(m.Trace.Buffers);
    }

    [Fact]
    public void An_allocation_and_a_free_are_written_in_the_modern_ftrace_layout()
    {
        using var m = TestMachines.Boot(cmdline: AllEvents);
        Assert.True(m.TryAllocPages(GfpFlags.Kernel | GfpFlags.Zero, 2, out var pfn));
        m.FreePages(pfn, 2);

        string text = TraceOf(m);
        var trace = TraceText.Parse(text);
        Assert.Equal("# tracer: nop", trace.Headers[0]);
        Assert.Contains("# entries-in-buffer/entries-written: 2/2   #P:1", trace.Headers);
        Assert.Collection(
            trace.Events,
            a =>
            {
                Assert.Equal(("mm_page_alloc", pfn.Value, 2, "GFP_KERNEL|__GFP_ZERO", 0), (a.Name, a.Pfn, a.Order, a.Gfp, a.Migratetype));
                Assert.Equal(Tasks.CurrentTask.Pid, a.Pid);
                Assert.Equal(Tasks.CurrentTask.Comm, a.Comm);
                Assert.Equal(-1, a.Tgid);
            },
            f => Assert.Equal(("mm_page_free", pfn.Value, 2, (string?)null), (f.Name, f.Pfn, f.Order, f.Gfp)));
        Assert.True(trace.Events[1].TimestampUs >= trace.Events[0].TimestampUs);
    }

    [Fact]
    public void Record_tgid_adds_the_tgid_column_after_comm_pid()
    {
        using var m = TestMachines.Boot(cmdline: "trace_options=record-tgid " + AllEvents);
        Assert.True(m.TryAllocPages(GfpFlags.Kernel, 0, out _));

        string text = TraceOf(m);
        var e = TraceText.Parse(text).Events.Single();
        Assert.Equal((Tasks.CurrentTask.Pid, Tasks.CurrentTask.Tgid), (e.Pid, e.Tgid));
        Assert.Contains($"-{e.Pid,-7} ({e.Tgid,7}) [000] ..... ", text, StringComparison.Ordinal);
        Assert.Contains("#           TASK-PID     TGID     CPU#  |||||  TIMESTAMP  FUNCTION", text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_thread_name_with_a_newline_and_non_ascii_is_written_as_page_owners_comm_and_keeps_the_line_whole()
    {
        using var m = TestMachines.Boot(cmdline: "page_owner=on " + AllEvents);
        Pfn pfn = default;
        var thread = new Thread(() => m.TryAllocPages(GfpFlags.Kernel, 0, out pfn)) { Name = "bad\nname w\u00f6" };
        thread.Start();
        thread.Join();
        var dump = new StringWriter { NewLine = "\n" };
        PageOwnerDump.Write(dump, m.PageOwner);

        var e = TraceText.Parse(TraceOf(m)).Events.Single();
        Assert.Equal("bad?name w?", e.Comm);
        Assert.Equal(DumpText.Parse(dump.ToString())[pfn.Value].Comm, e.Comm);
    }

    [Fact]
    public void Only_the_events_named_on_the_command_line_are_written()
    {
        using var m = TestMachines.Boot(cmdline: "trace_event=mm_page_free");
        Assert.True(m.TryAllocPages(GfpFlags.Kernel, 0, out var pfn));
        m.FreePages(pfn, 0);

        Assert.Equal(["mm_page_free"], TraceText.Parse(TraceOf(m)).Events.Select(e => e.Name));
    }

    [Fact]
    public void Trace_timestamps_come_from_the_clock_page_owner_stamps_the_dump_with()
    {
        using var m = TestMachines.Boot(cmdline: "page_owner=on " + AllEvents);
        Assert.True(m.TryAllocPages(GfpFlags.Kernel, 0, out var pfn));
        var dump = new StringWriter { NewLine = "\n" };
        PageOwnerDump.Write(dump, m.PageOwner);

        long ownerNs = DumpText.Parse(dump.ToString())[pfn.Value].TimestampNs;
        long traceUs = TraceText.Parse(TraceOf(m)).Events.Single().TimestampUs;

        // The trace's hook runs right after page_owner's, on the same clock: the same microsecond or a little later.
        Assert.InRange(traceUs, ownerNs / 1000, (ownerNs / 1000) + 1_000_000);
    }

    [Fact]
    public void With_stacktrace_each_event_is_followed_by_page_owners_canonical_stack()
    {
        using var m = TestMachines.Boot(cmdline: "page_owner=on trace_options=stacktrace " + AllEvents);
        Assert.True(m.TryAllocPages(GfpFlags.Kernel, 1, out var pfn));
        var dump = new StringWriter { NewLine = "\n" };
        PageOwnerDump.Write(dump, m.PageOwner);
        m.FreePages(pfn, 1);

        var events = TraceText.Parse(TraceOf(m)).Events;
        Assert.Equal(DumpText.Parse(dump.ToString())[pfn.Value].Stack, events[0].Stack);
        Assert.Equal(["get_page_from_freelist+0x0/0x0", "__alloc_frozen_pages_noprof+0x0/0x0"], events[0].Stack.Take(2));
        Assert.Equal("__free_frozen_pages+0x0/0x0", events[1].Stack[0]);
        Assert.Contains(events[1].Stack, f => f.Contains(nameof(With_stacktrace_each_event_is_followed_by_page_owners_canonical_stack), StringComparison.Ordinal));
    }

    [Fact]
    public void With_stacktrace_and_page_owner_off_the_trace_keeps_its_own_stacks()
    {
        using var m = TestMachines.Boot(cmdline: "trace_options=stacktrace " + AllEvents);
        Assert.True(m.TryAllocPages(GfpFlags.Kernel, 0, out var pfn));
        m.FreePages(pfn, 0);

        var events = TraceText.Parse(TraceOf(m)).Events;
        Assert.All(events, e => Assert.Contains(e.Stack, f => f.Contains(nameof(With_stacktrace_and_page_owner_off_the_trace_keeps_its_own_stacks), StringComparison.Ordinal)));
    }

    [Fact]
    public void A_full_ring_overwrites_its_oldest_events_and_the_header_counts_the_loss()
    {
        // 4096 bytes of 32-byte records: 128 events per CPU.
        using var m = TestMachines.Boot(cmdline: "trace_buf_size=4096 trace_event=mm_page_alloc");
        var pfns = new List<ulong>();
        for (int i = 0; i < 300; i++)
        {
            Assert.True(m.TryAllocPages(GfpFlags.Kernel, 0, out var pfn));
            pfns.Add(pfn.Value);
        }

        string text = TraceOf(m);
        var trace = TraceText.Parse(text);
        Assert.Contains("# entries-in-buffer/entries-written: 128/300   #P:1", trace.Headers);
        Assert.Contains("##### CPU 0 buffer started ####", trace.Headers);
        Assert.Equal(pfns.Skip(172), trace.Events.Select(e => e.Pfn));
    }

    [Fact]
    public void Each_thread_is_a_cpu_and_the_buffers_merge_by_timestamp_so_a_free_follows_its_allocation()
    {
        using var m = TestMachines.Boot(cmdline: AllEvents);
        var handoff = new BlockingCollection<(Pfn Pfn, int Order)>();
        TestThreads.RunAndAssert(2, index =>
        {
            for (int i = 0; i < 2000; i++)
            {
                if (index == 0)
                {
                    if (!m.TryAllocPages(GfpFlags.Kernel, i % 3, out var pfn))
                    {
                        throw new InvalidOperationException("allocation failed");
                    }

                    handoff.Add((pfn, i % 3));
                }
                else
                {
                    var (pfn, order) = handoff.Take();
                    m.FreePages(pfn, order);
                }
            }
        });

        var trace = TraceText.Parse(TraceOf(m));
        Assert.Equal(4000, trace.Events.Count);
        Assert.All(trace.Events, e => Assert.Equal(e.Name == "mm_page_alloc" ? 0 : 1, e.Cpu));
        Assert.Equal(2, trace.Events.Select(e => e.Pid).Distinct().Count());
        Assert.Equal(trace.Events.Select(e => e.TimestampUs).Order(), trace.Events.Select(e => e.TimestampUs));
        Assert.Empty(trace.Replay());
    }

    [Fact]
    public void Writing_the_trace_of_a_disposed_machine_is_refused_with_ObjectDisposedException()
    {
        var m = TestMachines.Boot(cmdline: AllEvents);
        Assert.True(m.TryAllocPages(GfpFlags.Kernel, 0, out _));
        m.Dispose();
        Assert.Throws<ObjectDisposedException>(() => m.Trace.Write(new StringWriter()));
    }

    [Fact]
    public void Writing_the_trace_to_null_is_refused_with_ArgumentNullException()
    {
        using var m = TestMachines.Boot(cmdline: AllEvents);
        Assert.Throws<ArgumentNullException>(() => m.Trace.Write(null!));
    }
}
