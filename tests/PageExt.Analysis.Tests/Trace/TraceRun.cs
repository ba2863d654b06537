using System.Text;
using PageExt.Analysis.Trace;

namespace PageExt.Analysis.Tests.Trace;

/// <summary>Replays trace text in memory, as `pageext trace` does, and keeps everything a test looks at.</summary>
internal sealed class TraceRun
{
    private TraceRun(TraceReplay replay, string dump, long records, string extfragCsv)
    {
        Replay = replay;
        Dump = dump;
        Records = records;
        ExtfragCsv = extfragCsv;
    }

    public TraceReplay Replay { get; }

    public TraceCounts Counts => Replay.Counts;

    public TraceDiagnostics Diagnostics => Replay.Diagnostics;

    /// <summary>The page_owner dump written from the held blocks.</summary>
    public string Dump { get; }

    public long Records { get; }

    public string ExtfragCsv { get; }

    public static TraceRun Of(string text, TraceReplayOptions? options = null) => Of(Encoding.UTF8.GetBytes(text), options);

    public static TraceRun Of(byte[] bytes, TraceReplayOptions? options = null)
    {
        options ??= new TraceReplayOptions();
        var csv = new StringWriter();
        var replay = new TraceReplay(options, new TraceDiagnostics(int.MaxValue), new ExtfragCsvWriter(csv, options.Before44));
        using var input = new MemoryStream(bytes);
        TraceReader.Read(input, replay);
        var dump = new StringWriter();
        long records = TraceDumpWriter.Write(dump, replay);
        return new TraceRun(replay, dump.ToString(), records, csv.ToString());
    }

    /// <summary>The dump's header lines ("Page allocated via ..."), in order.</summary>
    public string[] Headers => Dump.Split('\n').Where(l => l.StartsWith("Page allocated via", StringComparison.Ordinal)).ToArray();

    /// <summary>The dump's PFN lines, in order.</summary>
    public string[] PfnLines => Dump.Split('\n').Where(l => l.StartsWith("PFN ", StringComparison.Ordinal)).ToArray();

    public string DiagnosticText => string.Join("\n", Diagnostics.Kept.Select(d => $"line {d.Line}: {d.Text}"));
}

/// <summary>Builds modern ftrace lines with the layout the reader shares with writers.</summary>
internal static class Ftrace
{
    public static string Alloc(string comm, int pid, int cpu, long ns, ulong pfn, int order, string gfp = "GFP_KERNEL", int migratetype = 0)
    {
        var text = new StringBuilder();
        KmemEventLayout.AppendContext(text, comm, pid, cpu, ".....", ns);
        KmemEventLayout.AppendAlloc(text, pfn, order, migratetype, gfp);
        return text.ToString();
    }

    public static string Free(string comm, int pid, int cpu, long ns, ulong pfn, int order)
    {
        var text = new StringBuilder();
        KmemEventLayout.AppendContext(text, comm, pid, cpu, ".....", ns);
        KmemEventLayout.AppendFree(text, pfn, order);
        return text.ToString();
    }

    public static string Stack(string comm, int pid, int cpu, long ns, params string[] frames)
    {
        var text = new StringBuilder();
        KmemEventLayout.AppendContext(text, comm, pid, cpu, ".....", ns);
        KmemEventLayout.AppendStack(text, frames);
        return text.ToString();
    }

    public static string Line(string comm, int pid, int cpu, long ns, Action<StringBuilder> body)
    {
        var text = new StringBuilder();
        KmemEventLayout.AppendContext(text, comm, pid, cpu, ".....", ns);
        body(text);
        return text.ToString();
    }
}
