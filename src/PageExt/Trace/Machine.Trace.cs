using PageExt.Trace;

namespace PageExt;

public sealed partial class Machine
{
    private KmemTrace? _trace;

    /// <summary>The kmem page trace events (trace_event=, trace_options=, trace_buf_size=); off unless the command line enables an event.</summary>
    public KmemTrace Trace
    {
        get => Live(_trace!);
        private set => _trace = value;
    }
}
