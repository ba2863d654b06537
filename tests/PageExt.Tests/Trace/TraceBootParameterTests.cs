using PageExt.Boot;
using PageExt.Trace;

namespace PageExt.Tests.Trace;

public sealed class TraceBootParameterTests
{
    private const KmemTraceEvents Alloc = KmemTraceEvents.PageAlloc;
    private const KmemTraceEvents Free = KmemTraceEvents.PageFree;

    [Theory]
    [InlineData("trace_event=kmem:mm_page_alloc,kmem:mm_page_free", Alloc | Free)]
    [InlineData("trace_event=mm_page_free", Free)]
    [InlineData("trace_event=*:mm_page_alloc", Alloc)]
    [InlineData("trace_event=:mm_page_alloc", Alloc)]
    [InlineData("trace_event=kmem:*", KmemTraceEvents.All)]
    [InlineData("trace_event=kmem:", KmemTraceEvents.All)]
    [InlineData("trace_event=kmem", KmemTraceEvents.All)]
    [InlineData("trace_event=*:*", KmemTraceEvents.All)]
    [InlineData("trace_event=kmem:mm_page_pcpu_drain", KmemTraceEvents.PagePcpuDrain)]
    [InlineData("trace_event=mm_page_free trace_event=mm_page_alloc", Alloc)]
    [InlineData("trace_event=,mm_page_free,", Free)]
    [InlineData("trace_event=", KmemTraceEvents.None)]
    public void Trace_event_takes_the_set_event_files_spellings(string commandLine, KmemTraceEvents expected)
    {
        Assert.Equal(expected, BootCommandLine.ParseOrThrow(commandLine).TraceEvents);
    }

    [Fact]
    public void Unknown_events_refuse_the_boot_naming_each_of_them()
    {
        var e = Assert.Throws<BootParameterException>(() => BootCommandLine.ParseOrThrow("trace_event=kmem:mm_page_alloc,kmem:kmalloc,sched:sched_switch,mm_page_allocs"));
        string message = Assert.Single(e.Errors).Message;
        Assert.StartsWith("trace_event: 'kmem:kmalloc', 'sched:sched_switch', 'mm_page_allocs' not understood; allowed comma-separated kmem:EVENT", message);
        Assert.Contains("mm_page_alloc_extfrag", message);
    }

    [Fact]
    public void Every_kmem_event_is_emitted_so_enabling_all_of_them_logs_nothing()
    {
        var parse = BootCommandLine.Parse("trace_event=kmem");
        Assert.False(parse.HasErrors);
        Assert.Equal(KmemTraceEvents.All, parse.Parameters.TraceEvents);
        Assert.DoesNotContain(parse.Log, l => l.StartsWith("trace_event", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("trace_options=stacktrace", TraceOptions.StackTrace)]
    [InlineData("trace_options=nostacktrace", TraceOptions.None)]
    [InlineData("trace_options=stacktrace,nostacktrace", TraceOptions.None)]
    [InlineData("trace_options=nostacktrace,stacktrace", TraceOptions.StackTrace)]
    [InlineData("trace_options=record-tgid,stacktrace", TraceOptions.StackTrace | TraceOptions.RecordTgid)]
    [InlineData("trace_options=record-tgid,norecord-tgid", TraceOptions.None)]
    [InlineData("", TraceOptions.None)]
    public void Trace_options_applies_each_option_and_its_no_form_in_order(string commandLine, TraceOptions expected)
    {
        Assert.Equal(expected, BootCommandLine.ParseOrThrow(commandLine).TraceOptions);
    }

    [Fact]
    public void Trace_options_refuses_an_option_it_does_not_have()
    {
        var e = Assert.Throws<BootParameterException>(() => BootCommandLine.ParseOrThrow("trace_options=stacktrace,sym-addr"));
        Assert.Equal("trace_options: 'sym-addr' not understood; allowed comma-separated stacktrace, record-tgid, each with an optional no prefix", Assert.Single(e.Errors).Message);
    }

    [Theory]
    [InlineData("", 1441792UL)]
    [InlineData("trace_buf_size=64M", 64UL << 20)]
    public void Trace_buf_size_defaults_to_the_kernels_per_cpu_size(string commandLine, ulong bytes)
    {
        Assert.Equal(bytes, BootCommandLine.ParseOrThrow(commandLine).TraceBufSize);
    }

    [Theory]
    [InlineData("trace_buf_size=1K")]
    [InlineData("trace_buf_size=2G")]
    public void Trace_buf_size_outside_a_page_to_1G_refuses_the_boot(string commandLine)
    {
        var e = Assert.Throws<BootParameterException>(() => BootCommandLine.ParseOrThrow(commandLine));
        Assert.StartsWith("trace_buf_size: ", Assert.Single(e.Errors).Message);
    }

    [Theory]
    [InlineData("trace_event=kmem trace_options=stacktrace trace_buf_size=16M", "trace_event=kmem:* trace_options=stacktrace trace_buf_size=16M")]
    [InlineData("trace_options=record-tgid,stacktrace", "trace_options=stacktrace,record-tgid")]
    [InlineData("trace_event=mm_page_free,mm_page_alloc", "trace_event=kmem:mm_page_alloc,kmem:mm_page_free")]
    public void The_effective_settings_print_the_trace_parameters_so_they_parse_back(string commandLine, string expected)
    {
        var parameters = BootCommandLine.ParseOrThrow(commandLine);
        string printed = string.Join(' ', parameters.EffectiveSettings().Where(s => s.StartsWith("trace", StringComparison.Ordinal)));
        Assert.Equal(expected, printed);
        Assert.Equal(parameters, BootCommandLine.ParseOrThrow(parameters.ToCommandLine()));
    }
}
