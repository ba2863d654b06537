using System.Text;
using PageExt.Cli;
using PageExt.Cli.Commands;

namespace PageExt.Analysis.Tests.Cli;

public sealed class SortCommandTests
{
    private static (int Exit, string Stdout, string Stderr, byte[] Report) Run(string[] args, byte[]? stdin = null)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var report = new MemoryStream();
        var context = new CliContext(stdout, stderr, () => new MemoryStream(stdin ?? []))
        {
            OpenStdout = () => new NonClosingStream(report),
        };
        int exit = CommandTable.Run(["sort", .. args], context);
        return (exit, stdout.ToString(), stderr.ToString(), report.ToArray());
    }

    [Fact]
    public void Stdin_to_stdout_keeps_progress_text_out_of_the_report()
    {
        var input = TestData.ReadInput("modern-s12.txt");
        var (exit, stdout, stderr, report) = Run(["--cull=st", "-", "-"], input);
        Assert.Equal(0, exit);
        Assert.Equal(string.Empty, stdout);
        Assert.Equal(string.Empty, stderr);
        TestData.AssertSameLines(File.ReadAllBytes(TestData.Expected("modern-s12.cull-st.txt")), report, "stdin to stdout");
    }

    [Fact]
    public void File_output_prints_the_kernel_progress_lines_on_stdout()
    {
        string output = Path.Combine(Path.GetTempPath(), $"pageext-sort-{Environment.ProcessId}.txt");
        try
        {
            var (exit, stdout, _, _) = Run([TestData.Input("modern-s12.txt"), output]);
            Assert.Equal(0, exit);
            Assert.Equal("loaded 78\nsorting ....\nculling\n", stdout.Replace("\r\n", "\n", StringComparison.Ordinal));
            TestData.AssertSameLines(File.ReadAllBytes(TestData.Expected("modern-s12.default.txt")), File.ReadAllBytes(output), "file output");
        }
        finally
        {
            File.Delete(output);
        }
    }

    [Fact]
    public void Not_a_dump_exits_2_with_a_message()
    {
        var (exit, _, stderr, _) = Run(["-", "-"], Encoding.ASCII.GetBytes("[Unit]\nDescription=x\n"));
        Assert.Equal(2, exit);
        Assert.Contains("not a page_owner dump", stderr, StringComparison.Ordinal);
        Assert.Contains("line 1: skipped", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_input_file_exits_1()
    {
        var (exit, _, stderr, _) = Run(["/nonexistent/dump.txt", "-"]);
        Assert.Equal(1, exit);
        Assert.Contains("cannot open input '/nonexistent/dump.txt'", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Usage_error_goes_to_stderr_and_help_to_stdout()
    {
        var bad = Run(["-m", "-s", "a", "b"]);
        Assert.Equal(1, bad.Exit);
        Assert.Contains("Usage: pageext sort", bad.Stderr, StringComparison.Ordinal);
        Assert.Equal(string.Empty, bad.Stdout);
        var help = Run(["--help"]);
        Assert.Equal(0, help.Exit);
        Assert.Contains("--cull <rules>", help.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Diagnostics_and_summary_go_to_stderr()
    {
        var text = Encoding.ASCII.GetString(TestData.ReadInput("modern-s12.txt")).Replace("\n", "\r\n", StringComparison.Ordinal);
        var (exit, _, stderr, _) = Run(["-", "-"], Encoding.ASCII.GetBytes(text));
        Assert.Equal(0, exit);
        Assert.Contains("pageext sort: <stdin>: line 1: repaired:", stderr, StringComparison.Ordinal);
        Assert.Contains("summary: 0 skipped, 1 repaired", stderr, StringComparison.Ordinal);
    }

    private sealed class NonClosingStream(Stream inner) : Stream
    {
        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => inner.Length;

        public override long Position { get => inner.Position; set => inner.Position = value; }

        public override void Flush() => inner.Flush();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);
    }
}
