using PageExt.Analysis.Dump;
using PageExt.Analysis.Sort;

namespace PageExt.Analysis.Tests.Sort;

/// <summary>
/// The aggregation hands the external sort one set of group objects for every spilled run, so
/// runs do not pile up in gen 2; each run must still see its own records.
/// </summary>
public sealed class SortAggregationTests
{
    [Fact]
    public void Spilled_groups_reuse_the_previous_runs_objects_and_hold_the_new_runs_records()
    {
        var options = SortCommandLine.Parse(["-a", "-", "-"]).Options!;
        var aggregation = new SortAggregation(options);
        byte[] input = TestData.ReadInput("modern-s11.txt");

        Aggregate(aggregation, options, input);
        var first = aggregation.ToSpilledGroups();
        var firstTexts = first.Select(g => g.Text.ToArray()).ToArray();
        var firstLines = first.Select(g => g.FirstLine).ToArray();
        aggregation.Reset();

        Aggregate(aggregation, options, input, lineBase: 1_000_000);
        var second = aggregation.ToSpilledGroups();

        Assert.True(first.Length > 1, "the sample should hold several records");
        Assert.Equal(first.Length, second.Length);
        for (int i = 0; i < second.Length; i++)
        {
            Assert.Same(first[i], second[i]);
            Assert.Equal(firstTexts[i], second[i].Text.ToArray());
            Assert.Equal(firstLines[i] + 1_000_000, second[i].FirstLine);
            Assert.Equal(0, second[i].Rank);
        }

        var fresh = aggregation.ToGroups();
        Assert.DoesNotContain(fresh[0], second);
    }

    private static void Aggregate(SortAggregation aggregation, SortOptions options, byte[] input, long lineBase = 0)
    {
        using var source = DumpSource.Wrap(new MemoryStream(input), ownsStream: true);
        DumpPipeline.Run(
            source,
            keepPfnLines: false,
            () => new SortChunkSink(options),
            (sink, chunkLineBase) => aggregation.Merge(sink, chunkLineBase + lineBase),
            new DiagnosticLog(int.MaxValue));
    }
}
