using PageExt.Analysis.Dump;
using PageExt.Fleet.Export;

namespace PageExt.Fleet.Tests;

/// <summary>The committed golden dumps and a one-call export into a temporary folder.</summary>
internal static class FleetTestData
{
    public static string Input(string name) => Path.Combine(AppContext.BaseDirectory, "Golden", "inputs", name);

    /// <summary>Exports <paramref name="dumps"/> (path and source label) into DIR/records.parquet and DIR/stacks.parquet.</summary>
    public static (long Records, long Stacks, DiagnosticLog Log) Export(string directory, params (byte[] Dump, string Source)[] dumps)
    {
        var log = new DiagnosticLog(int.MaxValue);
        using var records = File.Create(Path.Combine(directory, ParquetSchemaV1.RecordsFile));
        using var stacks = File.Create(Path.Combine(directory, ParquetSchemaV1.StacksFile));
        using var target = new ParquetTarget(records, stacks, rowGroupRows: 100);
        var exporter = new DumpExporter(target);
        foreach (var (dump, source) in dumps)
        {
            using var input = DumpSource.Wrap(new MemoryStream(dump), ownsStream: true);
            exporter.Add(input, source, log, chunkBytes: 4 << 10);
        }

        target.Complete();
        return (target.Records, target.Stacks, log);
    }

    public sealed class TempDirectory : IDisposable
    {
        public TempDirectory()
        {
            Path = Directory.CreateTempSubdirectory("pageext-fleet-test-").FullName;
        }

        public string Path { get; }

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
