using System.Diagnostics.Tracing;
using PageExt.Metrics;

namespace PageExt.Tests.Metrics;

/// <summary>
/// A real EventListener on the PageExt EventSource, as dotnet-counters is over EventPipe: it asks
/// for EventCounters every <see cref="IntervalSeconds"/> and keeps every payload it gets.
/// </summary>
internal sealed class CounterListener : EventListener
{
    public const double IntervalSeconds = 0.1;
    private readonly List<(string Name, double Increment, double Mean)> _payloads = [];
    private readonly Lock _lock = new();

    protected override void OnEventSourceCreated(EventSource source)
    {
        if (source.Name == PageExtMetrics.Name)
        {
            EnableEvents(source, EventLevel.Verbose, EventKeywords.All, new Dictionary<string, string?>
            {
                ["EventCounterIntervalSec"] = IntervalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
            });
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        if (e.EventName != "EventCounters" || e.Payload is not { Count: > 0 } || e.Payload[0] is not IDictionary<string, object> payload)
        {
            return;
        }

        string name = (string)payload["Name"];
        double increment = payload.TryGetValue("Increment", out var i) ? Convert.ToDouble(i, System.Globalization.CultureInfo.InvariantCulture) : double.NaN;
        double mean = payload.TryGetValue("Mean", out var m) ? Convert.ToDouble(m, System.Globalization.CultureInfo.InvariantCulture) : double.NaN;
        lock (_lock)
        {
            _payloads.Add((name, increment, mean));
        }
    }

    /// <summary>Payloads of <paramref name="name"/> received so far.</summary>
    public int Count(string name)
    {
        lock (_lock)
        {
            return _payloads.Count(p => p.Name == name);
        }
    }

    /// <summary>Wait until <paramref name="name"/> has been reported more than <paramref name="count"/> times; returns the new count.</summary>
    public int WaitBeyond(string name, int count)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            int now = Count(name);
            if (now > count)
            {
                return now;
            }

            Thread.Sleep(20);
        }

        throw new TimeoutException($"no EventCounters payload for {name} in 30 s");
    }

    /// <summary>The sum of <paramref name="name"/>'s increments after its first <paramref name="skip"/> payloads.</summary>
    public double IncrementsAfter(string name, int skip)
    {
        lock (_lock)
        {
            return _payloads.Where(p => p.Name == name).Skip(skip).Sum(p => p.Increment);
        }
    }

    /// <summary>The mean of <paramref name="name"/>'s latest payload.</summary>
    public double LatestMean(string name)
    {
        lock (_lock)
        {
            return _payloads.Last(p => p.Name == name).Mean;
        }
    }

    public IReadOnlyList<string> Names()
    {
        lock (_lock)
        {
            return [.. _payloads.Select(p => p.Name).Distinct()];
        }
    }
}
