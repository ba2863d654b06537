using System.Diagnostics;

namespace PageExt.Cli.Commands;

/// <summary>
/// Progress of a long command in units of work (operations of a workload), drawn on stderr only
/// when stderr is a terminal and only after half a second, redrawn at most five times a second,
/// and erased when done: a pipe or a log file never sees it.
/// </summary>
internal sealed class Progress : IDisposable
{
    private const int Width = 30;
    private readonly TextWriter? _terminal;
    private readonly string _label;
    private readonly long _total;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private long _lastDrawMs = -1000;
    private bool _drawn;

    private Progress(TextWriter? terminal, string label, long total)
    {
        _terminal = terminal;
        _label = label;
        _total = total;
    }

    public static Progress Start(CliContext context, string label, long total) =>
        new(context.StderrIsTerminal ? context.Stderr : null, label, total);

    public void Report(long done)
    {
        if (_terminal is null)
        {
            return;
        }

        long now = _clock.ElapsedMilliseconds;
        if (now - _lastDrawMs < 200 || now < 500)
        {
            return;
        }

        _lastDrawMs = now;
        double fraction = _total > 0 ? Math.Min(1.0, (double)done / _total) : 0;
        int filled = (int)(fraction * Width);
        string bar = _total > 0 ? $"[{new string('#', filled)}{new string(' ', Width - filled)}] {fraction * 100,5:F1}% " : "";
        _terminal.Write($"\r{bar}{_label}: {done:N0} operations\u001b[K");
        _terminal.Flush();
        _drawn = true;
    }

    public void Dispose()
    {
        if (_drawn && _terminal is not null)
        {
            _terminal.Write("\r\u001b[K");
            _terminal.Flush();
            _drawn = false;
        }
    }
}
