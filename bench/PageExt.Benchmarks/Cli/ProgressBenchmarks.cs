using BenchmarkDotNet.Attributes;
using PageExt.Cli;
using Spectre.Console;

namespace PageExt.Benchmarks.Cli;

/// <summary>
/// What a progress display costs a long command: the whole life of one display (start, 100,000
/// reports as a workload or dump advances, finish) with PageExt's own one-line bar against
/// Spectre.Console's progress, both drawing to a terminal that discards the text. Spectre redraws
/// from its own thread at its refresh rate; the own bar redraws at most five times a second.
/// </summary>
[MemoryDiagnoser]
public class ProgressBenchmarks
{
    private const int Reports = 100_000;

    [Benchmark(Baseline = true)]
    public long OwnBar()
    {
        var context = new CliContext(TextWriter.Null, TextWriter.Null, stderrIsTerminal: true);
        using var progress = PageExt.Cli.Commands.Progress.Start(context, "demo", Reports);
        for (long i = 1; i <= Reports; i++)
        {
            progress.Report(i);
        }

        return Reports;
    }

    [Benchmark]
    public long Spectre()
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.Yes,
            Interactive = InteractionSupport.Yes,
            Out = new AnsiConsoleOutput(TextWriter.Null),
        });
        console.Progress().Start(context =>
        {
            var task = context.AddTask("demo", maxValue: Reports);
            for (long i = 1; i <= Reports; i++)
            {
                task.Value = i;
            }
        });
        return Reports;
    }
}
