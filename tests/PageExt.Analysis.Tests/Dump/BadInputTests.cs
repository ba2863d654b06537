using System.IO.Compression;
using System.Text;
using PageExt.Analysis.Dump;

namespace PageExt.Analysis.Tests.Dump;

/// <summary>
/// Malformed input: every well-formed record is kept, every skipped or repaired one is reported with
/// its line, and the output equals the clean input's. The clean reference is the kernel tool's golden
/// output for modern-s12.txt (78 records).
/// </summary>
public sealed class BadInputTests
{
    private static readonly byte[] s_clean = TestData.ReadInput("modern-s12.txt");
    private static readonly byte[] s_golden = File.ReadAllBytes(TestData.Expected("modern-s12.default.txt"));

    private static string CleanText => Encoding.Latin1.GetString(s_clean);

    private static byte[] Bytes(string latin1) => Encoding.Latin1.GetBytes(latin1);

    /// <summary>1-based line number of the n-th (0-based) record header.</summary>
    private static int HeaderLine(string text, int record)
    {
        int seen = -1;
        var lines = text.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            if (lines[i].StartsWith("Page allocated via", StringComparison.Ordinal) && ++seen == record)
            {
                return i + 1;
            }
        }

        throw new InvalidOperationException("no such record");
    }

    [Fact]
    public void Clean_input_has_no_diagnostics()
    {
        var run = TestData.Sort(s_clean);
        TestData.AssertSameLines(s_golden, run.Output, "clean");
        Assert.Equal(0, run.Log.Total);
        Assert.Equal(78, run.Result.Read.Records);
    }

    [Fact]
    public void Crlf_line_endings_are_repaired_and_reported_once()
    {
        var run = TestData.Sort(Bytes(CleanText.Replace("\n", "\r\n", StringComparison.Ordinal)));
        TestData.AssertSameLines(s_golden, run.Output, "CRLF");
        var diagnostic = Assert.Single(run.Log.Kept);
        Assert.Equal(DiagnosticKind.CrlfLineEndings, diagnostic.Kind);
        Assert.Equal(1, diagnostic.Line);
    }

    [Fact]
    public void Missing_blank_line_splits_the_records_and_is_reported()
    {
        string text = CleanText;
        int line = HeaderLine(text, 5);
        var lines = text.Split('\n').ToList();
        Assert.Equal(string.Empty, lines[line - 2]);
        lines.RemoveAt(line - 2);
        var run = TestData.Sort(Bytes(string.Join('\n', lines)));
        TestData.AssertSameLines(s_golden, run.Output, "missing blank line");
        var diagnostic = Assert.Single(run.Log.Kept);
        Assert.Equal(DiagnosticKind.MissingBlankLine, diagnostic.Kind);
        Assert.Equal(line - 1, diagnostic.Line);
        Assert.Equal(78, run.Result.Read.Records);
    }

    [Fact]
    public void Garbage_paragraph_is_skipped_and_reported_with_its_line()
    {
        string text = CleanText;
        int line = HeaderLine(text, 10);
        var lines = text.Split('\n').ToList();
        lines.InsertRange(line - 1, ["this is not a record", "neither is this", string.Empty]);
        var run = TestData.Sort(Bytes(string.Join('\n', lines)));
        TestData.AssertSameLines(s_golden, run.Output, "garbage paragraph");
        var diagnostic = Assert.Single(run.Log.Kept);
        Assert.Equal(DiagnosticKind.NotARecord, diagnostic.Kind);
        Assert.Equal(line, diagnostic.Line);
        Assert.Contains($"lines {line}-{line + 1}", diagnostic.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Binary_data_is_skipped_and_reported()
    {
        var random = new Random(42);
        var junk = new byte[5000];
        random.NextBytes(junk);
        junk[100] = 0;
        int cut = CleanText.IndexOf("\n\nPage allocated", 20000, StringComparison.Ordinal) + 2;
        var input = s_clean[..cut].Concat(junk).Concat("\n\n"u8.ToArray()).Concat(s_clean[cut..]).ToArray();
        var run = TestData.Sort(input);
        TestData.AssertSameLines(s_golden, run.Output, "binary data");
        Assert.NotEmpty(run.Log.Kept);
        Assert.All(run.Log.Kept, d => Assert.True(d.IsSkip, d.ToString()));
        Assert.Contains(run.Log.Kept, d => d.Kind == DiagnosticKind.BinaryData);
        Assert.Equal(78, run.Result.Read.Records);
    }

    [Theory]
    [InlineData("\n")]
    [InlineData("")]
    public void Last_record_without_its_blank_line_is_kept_with_a_note(string ending)
    {
        string text = CleanText.TrimEnd('\n') + ending;
        var run = TestData.Sort(Bytes(text));
        TestData.AssertSameLines(s_golden, run.Output, "unterminated last record");
        var diagnostic = Assert.Single(run.Log.Kept);
        Assert.Equal(DiagnosticKind.UnterminatedLastRecord, diagnostic.Kind);
        Assert.True(diagnostic.IsNote);
        Assert.Equal(0, run.Log.Warnings);
        Assert.Equal(HeaderLine(text, 77), diagnostic.Line);
    }

    [Fact]
    public void Megabyte_line_skips_only_its_record()
    {
        string text = CleanText;
        int line = HeaderLine(text, 3);
        var lines = text.Split('\n').ToList();
        int end = lines.IndexOf(string.Empty, line - 1);
        var copy = lines.GetRange(line - 1, end - line + 1);
        copy.Insert(2, " " + new string('x', 1 << 20));
        lines.InsertRange(line - 1, copy.Append(string.Empty));
        var run = TestData.Sort(Bytes(string.Join('\n', lines)));
        TestData.AssertSameLines(s_golden, run.Output, "1 MiB line");
        var diagnostic = Assert.Single(run.Log.Kept);
        Assert.Equal(DiagnosticKind.RecordTooLong, diagnostic.Kind);
        Assert.Equal(line, diagnostic.Line);
    }

    [Fact]
    public void Gzip_input_is_read_transparently()
    {
        var run = TestData.Sort(Gzip(s_clean));
        TestData.AssertSameLines(s_golden, run.Output, "gzip");
        Assert.Equal(0, run.Log.Total);
    }

    [Fact]
    public void Truncated_gzip_keeps_the_records_before_the_cut_and_reports_it()
    {
        var gz = Gzip(s_clean);
        var run = TestData.Sort(gz[..(gz.Length / 2)]);
        Assert.InRange(run.Result.Read.Records, 1, 77);
        Assert.Contains(run.Log.Kept, d => d.Kind == DiagnosticKind.TruncatedInput);
        Assert.Equal(run.Result.Read.Records, run.Result.LoadedRecords);
    }

    [Fact]
    public void Invalid_utf8_in_a_comm_is_kept_as_bytes()
    {
        var record = "Page allocated via order 0, mask 0xcc0(GFP_KERNEL), pid 5, tgid 5 (bad\xff\xfename), ts 10 ns\nPFN 0x1 type Unmovable Block 0 type Unmovable Flags 0x0()\n f+0x1/0x2\n\n";
        var run = TestData.Sort(Bytes(record), "--cull=name");
        Assert.Equal(Bytes("1 times, 1 pages, task_comm_name: bad\xff\xfename\n"), run.Output);
        Assert.Equal(0, run.Log.Total);
    }

    [Fact]
    public void Numbers_that_overflow_follow_the_c_tool_and_are_reported()
    {
        var record = "Page allocated via order 99999999999999999999, mask 0xcc0(GFP_KERNEL), pid 99999999999, tgid 4294967297 (x), ts 99999999999999999999999 ns\nPFN 0x1 type Unmovable Block 0 type Unmovable Flags 0x0()\n f+0x1/0x2\n\n";
        var run = TestData.Sort(Bytes(record), "--cull=pid,tgid");
        // strtol: the pid fits a long and is truncated to pid_t; the order overflows (0 pages).
        Assert.Equal($"1 times, 0 pages, PID {unchecked((int)99999999999L)}, TGID 1\n", Encoding.ASCII.GetString(run.Output));
        Assert.Equal(
            [(1L, DiagnosticKind.UnusableOrder), (1L, DiagnosticKind.NumberOutOfRange)],
            run.Log.Kept.Select(d => (d.Line, d.Kind)));
    }

    [Fact]
    public void Text_that_is_not_a_dump_is_unusable()
    {
        var run = TestData.Sort(Bytes("hello\nworld\n\nthis is a config file\n"));
        Assert.NotNull(run.Result.UnusableReason);
        Assert.Empty(run.Output);
    }

    [Fact]
    public void Empty_input_is_an_empty_report()
    {
        var run = TestData.Sort([]);
        Assert.Null(run.Result.UnusableReason);
        Assert.Empty(run.Output);
        Assert.Equal(0, run.Log.Total);
    }

    [Fact]
    public void Extra_blank_lines_between_records_are_not_records()
    {
        var run = TestData.Sort(Bytes(CleanText.Replace("\n\nPage", "\n\n\n\nPage", StringComparison.Ordinal)));
        TestData.AssertSameLines(s_golden, run.Output, "double blank lines");
        Assert.Equal(0, run.Log.Total);
    }

    private static byte[] Gzip(byte[] data)
    {
        using var memory = new MemoryStream();
        using (var gzip = new GZipStream(memory, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(data);
        }

        return memory.ToArray();
    }
}
