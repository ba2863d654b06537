using System.Diagnostics;

namespace PageExt.Cli.Commands;

/// <summary>
/// A one-line progress bar on stderr, redrawn at most five times a second, for long inputs when
/// stderr is a terminal. Without a known length (a pipe, gzip) it shows bytes and speed only.
/// </summary>
internal sealed class ProgressBar
{
    private const int Width = 30;
    private readonly TextWriter _terminal;
    private readonly long _totalBytes;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private long _lastDrawMs = -1000;
    private bool _drawn;

    public ProgressBar(TextWriter terminal, long totalBytes)
    {
        _terminal = terminal;
        _totalBytes = totalBytes;
    }

    public void Report(long bytes)
    {
        long now = _clock.ElapsedMilliseconds;
        if (now - _lastDrawMs < 200 || now < 500)
        {
            return;
        }

        _lastDrawMs = now;
        double mib = bytes / 1048576.0;
        double rate = mib / Math.Max(now / 1000.0, 0.001);
        string line;
        if (_totalBytes > 0)
        {
            double fraction = Math.Min(1.0, (double)bytes / _totalBytes);
            int filled = (int)(fraction * Width);
            line = $"[{new string('#', filled)}{new string(' ', Width - filled)}] {fraction * 100,5:F1}% {mib:F0} MiB {rate:F0} MiB/s";
        }
        else
        {
            line = $"{mib:F0} MiB read, {rate:F0} MiB/s";
        }

        _terminal.Write("\r" + line + "\u001b[K");
        _terminal.Flush();
        _drawn = true;
    }

    public void Clear()
    {
        if (_drawn)
        {
            _terminal.Write("\r\u001b[K");
            _terminal.Flush();
        }
    }
}
