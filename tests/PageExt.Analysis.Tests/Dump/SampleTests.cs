using PageExt.Analysis.Dump;

namespace PageExt.Analysis.Tests.Dump;

/// <summary>
/// The real dumps in tests/samples (every generation) parse without a warning; the samples' README
/// says where each comes from.
/// </summary>
public sealed class SampleTests
{
    /// <summary>Samples that are page_owner dumps. The others are dmesg reports, page_owner_sort
    /// output, /proc views, or (the 2007 file) a record followed by a pagetypeinfo table.</summary>
    public static TheoryData<string, int> Dumps() => new()
    {
        { "2008-linux-mm-pre-mainline-record-fragment.txt", 1 },
        { "2015-lkml-vbabka-record-with-migrate-reason-4.4.txt", 1 },
        { "2021-flamegraph-stackcollapse-pageowner-example-5.13.txt", 1 },
        { "2022-lkml-waiman-long-memcg-record-5.17-rc.txt", 1 },
        { "2025-lkml-mediatek-android-6.12-cma-records.txt", 2 },
        { "2026-blog-mfo-v6.19-page_owner-record.txt", 1 },
    };

    [Theory]
    [MemberData(nameof(Dumps))]
    public void Sample_dump_parses_without_warnings(string file, int records)
    {
        var run = TestData.Sort(File.ReadAllBytes(TestData.Sample(file)));
        Assert.Equal(0, run.Log.Warnings);
        Assert.Equal(records, run.Result.Read.Records);
        Assert.Null(run.Result.UnusableReason);
    }

    [Fact]
    public void Record_part_of_the_2007_sample_is_read_and_the_table_reported()
    {
        var run = TestData.Sort(File.ReadAllBytes(TestData.Sample("2007-mm-mel-gorman-fallback-record-and-mixed-blocks.txt")));
        Assert.Equal(1, run.Result.Read.Records);
        Assert.Equal(DiagnosticKind.NotARecord, Assert.Single(run.Log.Kept).Kind);
    }
}
