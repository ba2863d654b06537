using System.CommandLine;
using PageExt.Analysis.Dump;
using PageExt.Analysis.Trace;
using PageExt.Cli.Files;

namespace PageExt.Cli.Commands;

/// <summary>
/// `pageext trace &lt;trace|-&gt; [-o dump|-] [--at SECONDS] [--extfrag CSV] [--before-4.4]`: replays
/// kmem page events (ftrace, trace-cmd report, perf script, function_graph comments) into the
/// page_owner dump of the pages held at the end, for kernels without page_owner. Exit codes: 0
/// done (anomalies and unreadable lines are reported on stderr, never fatal), 1 usage or a file
/// that cannot be opened or written, 2 the input holds no kmem page event at all.
/// </summary>
internal sealed class TraceCommand : ICliCommand
{
    public Command Create(CliContext context)
    {
        var input = new Argument<string>("trace")
        {
            HelpName = "trace",
            Description = "Trace text: /sys/kernel/tracing/trace or trace_pipe, `trace-cmd report`, `perf script` (`-`: stdin; gzip is read as is)",
        };
        var output = new Option<string>("--output", "-o")
        {
            HelpName = "PATH",
            Description = "The page_owner dump of the pages held at the end (or at --at), `-` for standard output",
            DefaultValueFactory = _ => "-",
        };
        var at = new Option<long?>("--at")
        {
            HelpName = "SECONDS",
            Description = "Rebuild the owners as they were at this trace time (seconds, as the trace prints them: 355.369905)",
            CustomParser = result =>
            {
                string text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
                if (TraceLineParser.TryParseTimestamp(System.Text.Encoding.ASCII.GetBytes(text), out long ns))
                {
                    return ns;
                }

                result.AddError($"--at takes a trace time in seconds such as 355.369905, not '{text}'");
                return null;
            },
        };
        var extfrag = new Option<string>("--extfrag")
        {
            HelpName = "CSV",
            Description = "Also write every mm_page_alloc_extfrag fallback, with the pageblock's type before and after, as CSV",
        };
        var before44 = new Option<bool>("--before-4.4")
        {
            Description = "The trace is from a kernel before v4.4, whose migratetype numbers put Reclaimable before Movable",
        };
        var command = new Command("trace", "Rebuild page ownership from kmem page trace events (ftrace, trace-cmd, perf script) as a page_owner dump")
        {
            input, output, at, extfrag, before44,
        };
        command.SetAction(parsed =>
        {
            string path = parsed.GetValue(input)!;
            InputFile.Check("input", path);
            var outputs = OutputFile.OpenAll([("--output", parsed.GetValue(output)), ("--extfrag", parsed.GetValue(extfrag))], [path], context);
            try
            {
                return Run(path, outputs[0], outputs.Length > 1 ? outputs[1] : null, parsed.GetValue(at), parsed.GetValue(before44), context);
            }
            finally
            {
                foreach (var opened in outputs)
                {
                    opened.Dispose();
                }
            }
        });
        return command.WithExamples(
            ("pageext trace /sys/kernel/tracing/trace -o dump.txt", "who holds each page, from the events in the ring buffer"),
            ("trace-cmd report | pageext trace - | pageext top -", "the biggest holders, on a kernel without page_owner"),
            ("pageext trace --at 355.369905 --extfrag fallbacks.csv perf.txt -o then.txt", "the owners at a moment, and every fallback"));
    }

    private static int Run(string path, OutputFile dump, OutputFile? extfrag, long? at, bool before44, CliContext context)
    {
        using var stream = CommandIo.OpenInput(path, context, out long length);
        var diagnostics = new TraceDiagnostics();
        var fallbacks = extfrag is null ? null : new ExtfragCsvWriter(extfrag.Writer, before44);
        var replay = new TraceReplay(new TraceReplayOptions { AtNs = at ?? long.MaxValue, Before44 = before44 }, diagnostics, fallbacks);
        var progress = context.StderrIsTerminal ? new ProgressBar(context.Stderr, length) : null;
        try
        {
            TraceReader.Read(stream, replay, progress is null ? null : progress.Report);
        }
        catch (IOException e) when (e is not FileNotFoundException)
        {
            // A truncated gzip member is an input fault: name it, keep the old output.
            throw new CliException($"{Where(path)}: {e.Message}", ExitCodes.BadInput);
        }
        finally
        {
            progress?.Clear();
        }

        string prefix = $"pageext trace: {Where(path)}";
        diagnostics.WriteTo(context.Stderr, prefix);
        if (replay.Counts.KmemEvents == 0)
        {
            throw new CliException($"{Where(path)}: no kmem page event (mm_page_alloc, mm_page_free, ...) in {replay.Counts.Lines} lines: not a kmem trace", ExitCodes.BadInput);
        }

        long records = TraceDumpWriter.Write(dump.Writer, replay);
        dump.Commit();
        extfrag?.Commit();
        TraceSummary.Write(context.Stderr, prefix, replay, records, at is not null);
        return ExitCodes.Success;
    }

    private static string Where(string path) => path == "-" ? "<stdin>" : path;
}
