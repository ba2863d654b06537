using System.Text;
using BenchmarkDotNet.Attributes;
using PageExt.Analysis.Dump;
using PageExt.Analysis.Reports;
using PageExt.Analysis.Sort;

namespace PageExt.Benchmarks.Sort;

/// <summary>
/// Throughput of `pageext sort` on an in-memory modern dump (no disk, no process start): reading,
/// parallel parsing, aggregation and sorting, for the options sort-bench.sh times end to end.
/// The dump is built from a few hundred distinct stacks, pids and timestamps, deterministically.
/// </summary>
[MemoryDiagnoser]
public class SortPipelineBenchmarks
{
    private byte[] _dump = [];

    [Params("", "-m", "-s", "--cull=stacktrace")]
    public string Options { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(7);
        var text = new StringBuilder();
        string[] comms = ["java", "kworker/u16:3", "systemd-journal", "GC Thread#0", "qemu-system-x86"];
        while (text.Length < 64 << 20)
        {
            int stack = (int)(300 * Math.Pow(random.NextDouble(), 3));
            int pid = 100 + random.Next(40);
            text.Append($"Page allocated via order {stack % 3}, mask 0x152cca(GFP_HIGHUSER_MOVABLE|__GFP_NOWARN|__GFP_NORETRY|__GFP_COMP), pid {pid}, tgid {pid - (pid % 4)} ({comms[pid % comms.Length]}), ts {random.NextInt64(1_000_000_000, 300_000_000_000_000)} ns\n");
            text.Append($"PFN 0x{random.Next(0x100, 0x800000):x} type Movable Block {random.Next(16384)} type Movable Flags 0x7ffffc0020068(uptodate|lru|head|mappedtodisk|node=0|zone=2)\n");
            text.Append(" post_alloc_hook+0x159/0x10c0\n get_page_from_freelist+0x54/0x760\n __alloc_pages_noprof+0x168/0x190\n");
            for (int frame = 0; frame < 10; frame++)
            {
                text.Append($" caller_{stack}_{frame}+0x{stack * 16 + frame:x}/0x{1000 + frame:x}\n");
            }

            text.Append('\n');
        }

        _dump = Encoding.ASCII.GetBytes(text.ToString());
    }

    [Benchmark]
    public long Sort()
    {
        var argv = Options.Split(' ', StringSplitOptions.RemoveEmptyEntries).Append("-").Append("-").ToArray();
        var options = SortCommandLine.Parse(argv).Options!;
        var result = SortReport.Run(options, new MemoryStream(_dump), Stream.Null, new DiagnosticLog());
        return result.Groups;
    }
}
