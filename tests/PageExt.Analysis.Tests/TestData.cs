using System.Text;
using PageExt.Analysis.Dump;
using PageExt.Analysis.Reports;
using PageExt.Analysis.Sort;

namespace PageExt.Analysis.Tests;

/// <summary>Paths to the committed test data and a one-call way to run a sort in memory.</summary>
internal static class TestData
{
    public static string GoldenDirectory => Path.Combine(AppContext.BaseDirectory, "Golden");

    public static string Input(string name) => Path.Combine(GoldenDirectory, "inputs", name);

    public static byte[] ReadInput(string name) => File.ReadAllBytes(Input(name));

    public static string Expected(string name) => Path.Combine(GoldenDirectory, "expected", name);

    /// <summary>Real kernel output from tests/samples (its README says where each file comes from).</summary>
    public static string Sample(string name) => Path.Combine(AppContext.BaseDirectory, "samples", name);

    public sealed record SortRun(byte[] Output, DiagnosticLog Log, SortResult Result)
    {
        public string Text => Encoding.UTF8.GetString(Output);
    }

    /// <summary>Runs `pageext sort ARGS - -` on <paramref name="input"/> through the library.</summary>
    public static SortRun Sort(byte[] input, string args = "", int chunkBytes = DumpChunkReader.DefaultChunkBytes)
    {
        var argv = args.Split(' ', StringSplitOptions.RemoveEmptyEntries).Append("-").Append("-").ToArray();
        var parsed = SortCommandLine.Parse(argv);
        Assert.True(parsed.Options is not null, $"arguments '{args}' did not parse: {parsed.Message}");
        var log = new DiagnosticLog(int.MaxValue);
        using var output = new MemoryStream();
        using var source = DumpSource.Wrap(new MemoryStream(input), ownsStream: true);
        var result = SortReport.Run(parsed.Options!, source, output, log, chunkBytes: chunkBytes);
        return new SortRun(output.ToArray(), log, result);
    }

    /// <summary>Line-by-line comparison that names the first differing line and shows both sides.</summary>
    public static void AssertSameLines(byte[] expected, byte[] actual, string what)
    {
        if (expected.AsSpan().SequenceEqual(actual))
        {
            return;
        }

        var e = Encoding.UTF8.GetString(expected).Split('\n');
        var a = Encoding.UTF8.GetString(actual).Split('\n');
        int n = Math.Min(e.Length, a.Length);
        int first = 0;
        while (first < n && e[first] == a[first])
        {
            first++;
        }

        var message = new StringBuilder();
        message.AppendLine($"{what}: output differs from the golden file at line {first + 1} (expected {e.Length} lines, got {a.Length}).");
        for (int i = Math.Max(0, first - 2); i < Math.Min(first + 3, Math.Max(e.Length, a.Length)); i++)
        {
            message.AppendLine($"  {i + 1,6} expected: {(i < e.Length ? Visible(e[i]) : "<end>")}");
            message.AppendLine($"  {i + 1,6} actual:   {(i < a.Length ? Visible(a[i]) : "<end>")}");
        }

        Assert.Fail(message.ToString());
    }

    private static string Visible(string line) => line.Replace("\t", "\\t", StringComparison.Ordinal).Replace("\r", "\\r", StringComparison.Ordinal);
}
