using System.Text;
using PageExt.Analysis.Trace;

namespace PageExt.Analysis.Tests.Trace;

public sealed class TraceLineParserTests
{
    private sealed record Parsed(TraceLineKind Kind, string Comm, int Pid, int Tgid, int Cpu, bool HasTimestamp, long TimestampNs, KmemEventKind Event, string Name, string Fields, string Frame, string Module, bool User, long Lost, string? Problem);

    private static Parsed Parse(string line)
    {
        var bytes = Encoding.UTF8.GetBytes(line);
        var parsed = default(TraceLine);
        TraceLineParser.Parse(bytes, ref parsed);
        return new Parsed(parsed.Kind, Encoding.UTF8.GetString(parsed.Comm), parsed.Pid, parsed.Tgid, parsed.Cpu, parsed.HasTimestamp, parsed.TimestampNs,
            parsed.Event, Encoding.UTF8.GetString(parsed.EventName), Encoding.UTF8.GetString(parsed.Fields), Encoding.UTF8.GetString(parsed.Frame),
            Encoding.UTF8.GetString(parsed.FrameModule), parsed.FrameIsUser, parsed.LostCount, parsed.Problem);
    }

    [Fact]
    public void Ftrace_line_before_v3_3_without_flags_column()
    {
        var p = Parse("gnome-terminal-1567  [000]  4415.246466: mm_page_free_direct: page=ffffea0003db9f40 pfn=1155800 order=0");
        Assert.Equal(TraceLineKind.Event, p.Kind);
        Assert.Equal("gnome-terminal", p.Comm);
        Assert.Equal(1567, p.Pid);
        Assert.Equal(0, p.Cpu);
        Assert.Equal(4415_246466000L, p.TimestampNs);
        Assert.Equal(KmemEventKind.Free, p.Event);
        Assert.Equal("page=ffffea0003db9f40 pfn=1155800 order=0", p.Fields);
    }

    [Fact]
    public void Ftrace_line_with_four_and_five_flag_characters()
    {
        var four = Parse("<idle>-0     [006] d.s.  1110.217281: mm_page_alloc_extfrag: page=ffffea0064142000 pfn=26235008");
        Assert.Equal(("<idle>", 0, 6, KmemEventKind.Extfrag), (four.Comm, four.Pid, four.Cpu, four.Event));
        var five = Parse("    kworker/10:1-440     [010] .....   355.369905: mm_page_free: page=00000000dc8c03bd pfn=0x182190 order=2");
        Assert.Equal(("kworker/10:1", 440, 10, 355_369905000L), (five.Comm, five.Pid, five.Cpu, five.TimestampNs));
    }

    [Fact]
    public void Comm_with_spaces_and_dashes_is_read_back_from_the_cpu_column()
    {
        var p = Parse("       CPU 0/KVM-2223    [001] d..1.   10.000001: mm_page_alloc: page=0 pfn=0x10 order=0");
        Assert.Equal(("CPU 0/KVM", 2223), (p.Comm, p.Pid));
        var dashed = Parse(" swift-object-se-18999 [005] 3693413.521874: kernel_stack:         <stack trace>");
        Assert.Equal(("swift-object-se", 18999, TraceLineKind.StackMarker), (dashed.Comm, dashed.Pid, dashed.Kind));
    }

    [Fact]
    public void Record_tgid_column_gives_the_tgid_or_none_for_dashes()
    {
        var known = Parse("           bash-1234    (   1200) [002] .....   12.500000: mm_page_free: pfn=0x1 order=0");
        Assert.Equal((1234, 1200, 2), (known.Pid, known.Tgid, known.Cpu));
        var unknown = Parse("<...>-21458   (-------) [009] .... 372404.331037: tracing_mark_write: S|21458|H:myTestAsyncTrace 1001");
        Assert.Equal((21458, -1, KmemEventKind.Other), (unknown.Pid, unknown.Tgid, unknown.Event));
        Assert.Equal("tracing_mark_write", unknown.Name);
    }

    [Fact]
    public void Trace_cmd_report_line_with_padded_event_name()
    {
        var p = Parse("<...>-187168 [003] 14540.343835: mm_page_alloc:        page=0x3070e0 pfn=3174624 order=1 migratetype=0 gfp_flags=GFP_KERNEL_ACCOUNT|__GFP_ZERO");
        Assert.Equal((KmemEventKind.Alloc, 187168, 3), (p.Event, p.Pid, p.Cpu));
        Assert.StartsWith("page=0x3070e0 pfn=", p.Fields, StringComparison.Ordinal);
    }

    [Fact]
    public void Perf_script_line_with_system_prefix_and_pid_tid()
    {
        var p = Parse("perf  6503 [000]  1567.570191:             kmem:mm_page_alloc: page=0x16c904 pfn=1493252 order=0 migratetype=0 gfp_flags=GFP_KERNEL");
        Assert.Equal(("perf", 6503, -1, KmemEventKind.Alloc), (p.Comm, p.Pid, p.Tgid, p.Event));
        var both = Parse("  java 4000/4012 [003] 99.000000001: kmem:mm_page_free: page=0x1 pfn=1 order=0");
        Assert.Equal(("java", 4012, 4000, 99_000000001L), (both.Comm, both.Pid, both.Tgid, both.TimestampNs));
    }

    [Fact]
    public void Counter_clock_timestamps_are_kept_as_integers()
    {
        var p = Parse("           a.out-7       [001] ..... 123456789012: mm_page_free: pfn=0x2 order=0");
        Assert.Equal(123456789012L, p.TimestampNs);
    }

    [Fact]
    public void Function_graph_comment_with_and_without_abstime_and_proc()
    {
        var plain = Parse(" 24)               |  /* mm_page_alloc: page=0000000000000000 pfn=0 order=9 migratetype=1 gfp_flags=GFP_HIGHUSER_MOVABLE */");
        Assert.Equal((TraceLineKind.Event, 24, false, KmemEventKind.Alloc), (plain.Kind, plain.Cpu, plain.HasTimestamp, plain.Event));
        Assert.EndsWith("gfp_flags=GFP_HIGHUSER_MOVABLE", plain.Fields, StringComparison.Ordinal);
        var abs = Parse("1287587.105144 |   1)               |  /* mm_page_alloc: page=0000000082b1fe73 pfn=1704824 order=0 migratetype=1 gfp_flags=GFP_HIGHUSER_MOVABLE|__GFP_ZERO */");
        Assert.Equal((1, 1287587_105144000L), (abs.Cpu, abs.TimestampNs));
        var proc = Parse(" 0)    bash-2794    |               |  /* mm_page_free: page=0000000000000001 pfn=0x55 order=0 */");
        Assert.Equal(("bash", 2794, 0, KmemEventKind.Free), (proc.Comm, proc.Pid, proc.Cpu, proc.Event));
    }

    [Fact]
    public void Bare_event_text_from_tp_printk_or_a_mail()
    {
        var bare = Parse("mm_page_alloc: page=00000000d2be5665 pfn=970744 order=0 migratetype=0 nr_free=3650 gfp_flags=GFP_HIGHUSER|__GFP_ZERO");
        Assert.Equal((TraceLineKind.Event, -1, -1, false), (bare.Kind, bare.Pid, bare.Cpu, bare.HasTimestamp));
        var dmesg = Parse("[  123.456789] mm_page_free: page=000000001a2b3c4d pfn=0x1000 order=1");
        Assert.Equal((KmemEventKind.Free, 123_456789000L), (dmesg.Event, dmesg.TimestampNs));
    }

    [Fact]
    public void Stack_frames_of_every_layout_lose_their_address_columns()
    {
        Assert.Equal("__alloc_pages_nodemask+0x233/0x320", Parse(" => __alloc_pages_nodemask+0x233/0x320 <ffffffff812871c3>").Frame);
        Assert.Equal("alloc_pages_current", Parse(" => alloc_pages_current").Frame);
        Assert.Equal("xfs_buf_get_map", Parse("=> xfs_buf_get_map (ffffffffc065ed5c)").Frame);
        var kernel = Parse("\tffffffffb523e2ae __alloc_pages_nodemask+0x22e (/lib/modules/5.1.0-rc3+/build/vmlinux)");
        Assert.Equal((TraceLineKind.Frame, "__alloc_pages_nodemask+0x22e", "", false), (kernel.Kind, kernel.Frame, kernel.Module, kernel.User));
        var module = Parse("\tffffffffc065ed5c xfs_buf_get_map+0x1c ([xfs])");
        Assert.Equal(("xfs_buf_get_map+0x1c", "xfs", false), (module.Frame, module.Module, module.User));
        var user = Parse("\t7f71e92d03e8 __poll+0x18 (/usr/lib64/libc-2.28.so)");
        Assert.True(user.User);
        Assert.True(Parse("    5541f689495641d7 [unknown] ([unknown])").User);
    }

    [Fact]
    public void Stack_markers_of_ftrace_and_trace_cmd()
    {
        Assert.Equal(TraceLineKind.StackMarker, Parse("          <...>-503310 [001] .... 800755.732210: <stack trace>").Kind);
        Assert.Equal(TraceLineKind.UserStackMarker, Parse("            bash-1 [000] ..... 1.000000: <user stack trace>").Kind);
    }

    [Fact]
    public void Lost_event_lines_of_ftrace_and_trace_cmd()
    {
        Assert.Equal((TraceLineKind.LostEvents, 12L), (Parse("CPU:3 [LOST 12 EVENTS]").Kind, Parse("CPU:3 [LOST 12 EVENTS]").Lost));
        Assert.Equal(-1L, Parse("CPU:0 [LOST EVENTS]").Lost);
        Assert.Equal(7L, Parse("CPU:1 [7 EVENTS DROPPED]").Lost);
        Assert.Equal(TraceLineKind.LostEvents, Parse("CPU:1 [EVENTS DROPPED]").Kind);
    }

    [Fact]
    public void Trace_cmd_preamble_and_comments_are_not_malformed()
    {
        Assert.Equal(TraceLineKind.ReportHeader, Parse("version = 6").Kind);
        Assert.Equal(TraceLineKind.ReportHeader, Parse("cpus=4").Kind);
        Assert.Equal(TraceLineKind.ReportHeader, Parse("CPU 0 is empty").Kind);
        Assert.Equal(TraceLineKind.Comment, Parse("# tracer: nop").Kind);
        Assert.Equal(TraceLineKind.Comment, Parse("##### CPU 2 buffer started ####").Kind);
        Assert.Equal(TraceLineKind.Blank, Parse("   ").Kind);
    }

    [Theory]
    [InlineData("hello world", TraceLineParser.NoCpuColumn)]
    [InlineData("   ...", TraceLineParser.NoCpuColumn)]
    [InlineData("bash [001] ..... 1.0: mm_page_free: pfn=1 order=0", TraceLineParser.NoPid)]
    [InlineData("bash-12 [001] ..... soon: mm_page_free: pfn=1 order=0", TraceLineParser.NoTimestamp)]
    [InlineData("bash-12 [001] ..... 1.000000:", TraceLineParser.NoEventName)]
    public void Lines_that_are_not_trace_lines_say_why(string line, string problem)
    {
        var p = Parse(line);
        Assert.Equal(TraceLineKind.Malformed, p.Kind);
        Assert.Equal(problem, p.Problem);
    }

    [Fact]
    public void Writer_layout_reads_back_field_for_field()
    {
        var p = Parse(Ftrace.Alloc("kworker/u8:0", 1234567, 3, 5_000_123_000, 0x1f000, 4, "GFP_KERNEL|__GFP_COMP", 1).TrimEnd('\n'));
        Assert.Equal(("kworker/u8:0", 1234567, 3, 5_000_123_000L, KmemEventKind.Alloc), (p.Comm, p.Pid, p.Cpu, p.TimestampNs, p.Event));
        Assert.True(KmemFields.TryParse(Encoding.ASCII.GetBytes(p.Fields), out var fields, out _));
        Assert.Equal((true, 0x1f000UL, 4, 1), (fields.HasPfn, fields.Pfn, fields.Order, fields.Migratetype));
    }
}
