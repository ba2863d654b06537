namespace PageExt.Log;

/// <summary>
/// The machine's printk buffer: every message the model prints the way the kernel would (boot
/// lines, bad-page reports, allocation failures), kept in order and raised as an event.
/// <para>
/// Concurrency model: writers take a private lock; messages come from cold paths only (boot,
/// reports), never from a successful allocation or free.
/// </para>
/// </summary>
public sealed class KernelLog
{
    private readonly Lock _lock = new();
    private readonly List<string> _lines = [];
    private readonly int _capacity;
    private long _dropped;

    public KernelLog(int capacity = 100_000)
    {
        _capacity = capacity;
    }

    /// <summary>Raised after a line is stored, on the thread that printed it.</summary>
    public event Action<string>? LinePrinted;

    /// <summary>Lines dropped because the buffer was full (the oldest go first, as in a ring buffer).</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_lock)
            {
                return _lines.ToArray();
            }
        }
    }

    /// <summary>Store one or more lines (a message may span lines; each is kept separately).</summary>
    public void Print(string message)
    {
        var lines = message.Split('\n');
        lock (_lock)
        {
            foreach (var line in lines)
            {
                if (_lines.Count == _capacity)
                {
                    _lines.RemoveAt(0);
                    _dropped++;
                }

                _lines.Add(line);
            }
        }

        var handler = LinePrinted;
        if (handler is not null)
        {
            foreach (var line in lines)
            {
                handler(line);
            }
        }
    }

    public bool Contains(string fragment)
    {
        lock (_lock)
        {
            return _lines.Exists(l => l.Contains(fragment, StringComparison.Ordinal));
        }
    }
}
