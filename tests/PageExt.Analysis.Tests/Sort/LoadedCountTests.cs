using System.Text;
using PageExt.Analysis.Dump;
using PageExt.Analysis.Reports;
using PageExt.Analysis.Sort;

namespace PageExt.Analysis.Tests.Sort;

/// <summary>
/// "loaded N" is page_owner_sort's list_size. Up to 6.6 add_list merged a block byte-identical to
/// the previously stored one (tools/mm/page_owner_sort.c in v6.6; Documentation/vm/page_owner.c in
/// 3.19), comparing the block as read: ts digits included, PFN line included only in 3.19, filtered
/// records never stored. 6.7 removed that merge. The expected counts below are that rule applied by
/// hand to the crafted dumps; each case also runs with chunks of about one record, so that runs of
/// identical records cross chunk boundaries, and with a memory budget that spills.
/// </summary>
public sealed class LoadedCountTests
{
    // Small chunks put one or two records in each chunk; the reader rounds up to whole records.
    private const int TinyChunkBytes = 256;

    private static string V66(int pid, ulong ts, string pfn, string frame) =>
        $"Page allocated via order 0, mask 0xcc0(GFP_KERNEL), pid {pid}, tgid {pid} (task{pid}), ts {ts} ns, free_ts 0 ns\n"
        + $"PFN {pfn} type Unmovable Block 0 type Unmovable Flags 0x0()\n"
        + $" {frame}+0x1/0x10\n post_alloc_hook+0x2/0x20\n\n";

    private static string Y2014(string pfn, string frame) =>
        "Page allocated via order 0, mask 0x280da\n"
        + $"PFN {pfn} Block 0 type 2          Flags      LA     \n"
        + $" [<ffffffff81430071>] {frame}+0x271/0x2a0\n\n";

    /// <summary>
    /// A A A' B A C A A' B D D+1 in 5.18-6.6 form: A' differs from A only in its PFN line (which
    /// read_block skips), C has pid 2, D+1 differs from D only in its ts digits.
    /// </summary>
    private static byte[] V66Dump() => Encoding.ASCII.GetBytes(string.Concat(
        V66(1, 100, "0x100", "a_alloc"),
        V66(1, 100, "0x100", "a_alloc"),
        V66(1, 100, "0x101", "a_alloc"),
        V66(1, 200, "0x102", "b_alloc"),
        V66(1, 100, "0x103", "a_alloc"),
        V66(2, 300, "0x104", "c_alloc"),
        V66(1, 100, "0x105", "a_alloc"),
        V66(1, 100, "0x106", "a_alloc"),
        V66(1, 200, "0x107", "b_alloc"),
        V66(1, 400, "0x108", "d_alloc"),
        V66(1, 401, "0x109", "d_alloc")));

    // Runs: [A A A'] B A C [A A'] B D D+1 = 8 blocks out of 11 records.
    private const long V66Blocks = 8;

    // --pid=1 drops C, so the A after it merges into the A before it: [A A A'] B [A A A'] B D D+1 = 6.
    private const long V66BlocksPid1 = 6;

    public static TheoryData<string, long> V66Cases() => new()
    {
        { "--compat=v6.6", V66Blocks },
        { "--compat=v6.6 -a", V66Blocks },
        { "--compat=v6.6 -m", V66Blocks },
        { "--compat=v6.6 --cull=st", V66Blocks },
        { "--compat=v6.6 --cull=pid -f", V66Blocks },
        { "--compat=v6.6 --pid=1", V66BlocksPid1 },
        { "--compat=v6.6 -a --pid=1", V66BlocksPid1 },
        { "--compat=v6.6 --cull=st --pid=1", V66BlocksPid1 },
        { "--compat=v6.6 --name=task1", V66BlocksPid1 },
    };

    [Theory]
    [MemberData(nameof(V66Cases))]
    public void Loaded_counts_runs_of_identical_kept_records_in_the_v6_6_tool(string args, long expected)
    {
        AssertLoaded(V66Dump(), args, expected);
    }

    [Theory]
    [InlineData("", 11)]
    [InlineData("-a", 11)]
    [InlineData("--cull=st", 11)]
    [InlineData("--pid=1", 10)]
    [InlineData("-a --pid=1", 10)]
    public void Loaded_counts_every_kept_record_in_the_modern_tool(string args, long expected)
    {
        // 6.7 dropped add_list's merge: identical adjacent records are each loaded.
        AssertLoaded(V66Dump(), args, expected);
    }

    [Fact]
    public void Loaded_in_the_2014_tool_merges_only_blocks_identical_with_their_pfn_line()
    {
        // X X X' Y X' : the second X merges; X' (another PFN) does not; the last X' follows Y.
        byte[] dump = Encoding.ASCII.GetBytes(string.Concat(
            Y2014("256", "__alloc_pages_nodemask"),
            Y2014("256", "__alloc_pages_nodemask"),
            Y2014("257", "__alloc_pages_nodemask"),
            Y2014("258", "alloc_pages_vma"),
            Y2014("257", "__alloc_pages_nodemask")));

        AssertLoaded(dump, "--compat=2014", 4);
    }

    [Fact]
    public void Loaded_merges_a_run_that_fills_whole_chunks()
    {
        // Forty identical records span many tiny chunks, each of which holds nothing but the run.
        var text = new StringBuilder();
        for (int i = 0; i < 40; i++)
        {
            text.Append(V66(1, 100, "0x100", "a_alloc"));
        }

        text.Append(V66(1, 200, "0x100", "b_alloc"));
        AssertLoaded(Encoding.ASCII.GetBytes(text.ToString()), "--compat=v6.6", 2);
    }

    [Fact]
    public void Loaded_line_printed_is_the_merged_count()
    {
        var options = SortCommandLine.Parse(["--compat=v6.6", "-", "-"]).Options!;
        var stages = new List<string>();
        using var source = DumpSource.Wrap(new MemoryStream(V66Dump()), ownsStream: true);
        SortReport.Run(options, source, new MemoryStream(), new DiagnosticLog(int.MaxValue), stage: stages.Add);

        Assert.Equal(["loaded 8", "sorting ....", "culling"], stages);
    }

    private static void AssertLoaded(byte[] dump, string args, long expected)
    {
        var whole = TestData.Sort(dump, args);
        Assert.Equal(expected, whole.Result.LoadedRecords);

        var chunked = TestData.Sort(dump, args, chunkBytes: TinyChunkBytes);
        Assert.Equal(expected, chunked.Result.LoadedRecords);
        Assert.Equal(whole.Output, chunked.Output);

        var spilled = TestData.Sort(dump, "--memory-budget 1 " + args, chunkBytes: TinyChunkBytes);
        Assert.True(spilled.Result.SpilledRuns > 0, "a 1-byte budget should spill");
        Assert.Equal(expected, spilled.Result.LoadedRecords);
        Assert.Equal(whole.Output, spilled.Output);
    }
}
