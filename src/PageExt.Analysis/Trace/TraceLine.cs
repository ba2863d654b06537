namespace PageExt.Analysis.Trace;

/// <summary>What one line of trace text is.</summary>
internal enum TraceLineKind : byte
{
    /// <summary>Empty (perf script ends a sample's callchain with one).</summary>
    Blank,

    /// <summary>A '#' line: ftrace's header and legend, perf's --header, ftrace's "##### CPU N buffer started ####".</summary>
    Comment,

    /// <summary>An event: ftrace, trace-cmd, perf script, function_graph's comment form, or a bare "event: fields" (tp_printk, mails).</summary>
    Event,

    /// <summary>ftrace's "&lt;stack trace&gt;" entry or trace-cmd's kernel_stack event: frames follow.</summary>
    StackMarker,

    /// <summary>"&lt;user stack trace&gt;" (option userstacktrace): its frames are read and dropped.</summary>
    UserStackMarker,

    /// <summary>A stack frame: " => sym", "=> sym (addr)", or perf's "\taddr sym+off (dso)".</summary>
    Frame,

    /// <summary>ftrace's "CPU:N [LOST M EVENTS]" or trace-cmd's "CPU:N [M EVENTS DROPPED]".</summary>
    LostEvents,

    /// <summary>trace-cmd report's preamble: "version = 6", "cpus=4", "CPU 0 is empty".</summary>
    ReportHeader,

    /// <summary>None of the above; <see cref="TraceLine.Problem"/> says why.</summary>
    Malformed,
}

/// <summary>
/// One parsed line: spans into the line's bytes, valid until the next line is read. Numbers that a
/// layout does not print are -1 (pid, tgid, CPU) or absent (<see cref="HasTimestamp"/>).
/// </summary>
internal ref struct TraceLine
{
    public TraceLineKind Kind;

    /// <summary>The task name as printed; "&lt;...&gt;" when ftrace's pid-to-comm cache had none.</summary>
    public ReadOnlySpan<byte> Comm;

    public int Pid;

    /// <summary>From ftrace's record-tgid column or perf's pid/tid; -1 when the layout has none.</summary>
    public int Tgid;

    public int Cpu;

    public bool HasTimestamp;

    /// <summary>Seconds.fraction as nanoseconds; a counter clock's integer as it is.</summary>
    public long TimestampNs;

    public KmemEventKind Event;

    /// <summary>The event's name as printed, perf's "kmem:" included.</summary>
    public ReadOnlySpan<byte> EventName;

    /// <summary>The event's text after "name: ".</summary>
    public ReadOnlySpan<byte> Fields;

    /// <summary>A frame's symbol as page_owner prints one ("sym+0xoff/0xsize"), address columns removed.</summary>
    public ReadOnlySpan<byte> Frame;

    /// <summary>The kernel module of a perf frame ("xfs" from "([xfs])"); empty for the kernel image.</summary>
    public ReadOnlySpan<byte> FrameModule;

    /// <summary>A perf frame in user space (a library path, "[unknown]"): not part of a page_owner stack.</summary>
    public bool FrameIsUser;

    /// <summary>For <see cref="TraceLineKind.LostEvents"/>: how many, or -1 when the line does not say.</summary>
    public long LostCount;

    /// <summary>For <see cref="TraceLineKind.Malformed"/>: a fixed description, never built per line.</summary>
    public string? Problem;
}
