namespace PageExt.DebugPageAlloc;

/// <summary>
/// ___ratelimit() with DEFINE_RATELIMIT_STATE(interval, burst): at most <c>burst</c> messages per
/// interval; the first message of a new interval is preceded by "func: N callbacks suppressed"
/// when the last interval dropped some.
/// <para>Concurrency model: one private lock; used only on report paths, never per page.</para>
/// </summary>
internal sealed class RateLimit
{
    private readonly Lock _lock = new();
    private readonly TimeProvider _clock;
    private readonly TimeSpan _interval;
    private readonly int _burst;
    private readonly string _function;
    private long _begin = -1;
    private int _printed;
    private int _missed;

    public RateLimit(TimeProvider clock, TimeSpan interval, int burst, string function)
    {
        _clock = clock;
        _interval = interval;
        _burst = burst;
        _function = function;
    }

    /// <summary>True when the caller may print; <paramref name="suppressedLine"/> is then the line to print first, if any.</summary>
    public bool TryAcquire(out string? suppressedLine)
    {
        suppressedLine = null;
        lock (_lock)
        {
            long now = _clock.GetTimestamp();
            if (_begin < 0 || _clock.GetElapsedTime(_begin, now) >= _interval)
            {
                if (_missed > 0)
                {
                    suppressedLine = $"{_function}: {_missed} callbacks suppressed";
                }

                _begin = now;
                _printed = 0;
                _missed = 0;
            }

            if (_printed < _burst)
            {
                _printed++;
                return true;
            }

            _missed++;
            return false;
        }
    }
}
