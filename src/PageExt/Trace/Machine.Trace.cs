using PageExt.Trace;

namespace PageExt;

public sealed partial class Machine
{
    /// <summary>The kmem page trace events (trace_event=, trace_options=, trace_buf_size=); off unless the command line enables an event.</summary>
    public KmemTrace Trace { get; private set; } = null!;
}
