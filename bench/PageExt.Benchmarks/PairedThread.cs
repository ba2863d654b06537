namespace PageExt.Benchmarks;

/// <summary>
/// A second thread that lives for the whole benchmark and runs the same body as the calling
/// thread, started and joined by a barrier per invocation.
/// <para>
/// Why not a new thread per invocation: then every invocation also times a thread's creation, its
/// first placement (next to its parent, until the scheduler moves it) and a cold cache on the new
/// thread, none of which is two threads allocating.
/// </para>
/// </summary>
internal sealed class PairedThread : IDisposable
{
    private readonly Barrier _barrier = new(2);
    private readonly Thread _thread;
    private Action? _body;
    private Exception? _failure;

    public PairedThread()
    {
        _thread = new Thread(Loop) { IsBackground = true, Name = "benchmark partner" };
        _thread.Start();
    }

    /// <summary>Run <paramref name="body"/> on this thread and on the partner at once; return when both are done.</summary>
    public void Run(Action body)
    {
        _body = body;
        _barrier.SignalAndWait();
        body();
        _barrier.SignalAndWait();
        if (_failure is { } failure)
        {
            throw new InvalidOperationException("the partner thread failed", failure);
        }
    }

    public void Dispose()
    {
        _body = null;
        _barrier.SignalAndWait();
        _thread.Join();
        _barrier.Dispose();
    }

    private void Loop()
    {
        while (true)
        {
            _barrier.SignalAndWait();
            var body = _body;
            if (body is null)
            {
                return;
            }

            try
            {
                body();
            }
            catch (Exception e)
            {
                _failure = e;
            }

            _barrier.SignalAndWait();
        }
    }
}
