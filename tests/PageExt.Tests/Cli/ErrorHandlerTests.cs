using PageExt.Cli;
using PageExt.Cli.Commands;

namespace PageExt.Tests.Cli;

/// <summary>Every failure reaches the user as one line with a documented exit code; the trace only on request.</summary>
public sealed class ErrorHandlerTests
{
    private static (int Exit, string Stdout, string Stderr) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int exit = CommandTable.Run(args, new CliContext(stdout, stderr));
        return (exit, stdout.ToString(), stderr.ToString());
    }

    private static string[] Lines(string text) => text.Replace("\r", "", StringComparison.Ordinal).Split('\n', StringSplitOptions.RemoveEmptyEntries);

    [Theory]
    [InlineData("sort", "input")]
    [InlineData("top", "input")]
    [InlineData("run", "workload")]
    public void A_directory_given_as_input_is_named_as_a_directory(string command, string what)
    {
        string folder = Path.GetTempPath().TrimEnd(Path.DirectorySeparatorChar);
        string[] args = command switch
        {
            "sort" => ["sort", folder, "-"],
            "top" => ["top", folder],
            _ => ["run", "--workload", folder],
        };
        var (exit, _, stderr) = Run(args);
        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Equal([$"pageext {command}: {what} '{folder}' is a directory, not a file"], Lines(stderr));
    }

    [Fact]
    public void The_memory_limit_is_one_line_without_the_runtime_s_parameter_text()
    {
        var (exit, _, stderr) = Run("demo", "--memory", "16T");
        Assert.NotEqual(0, exit);
        Assert.Single(Lines(stderr));
        Assert.DoesNotContain("(Parameter", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Actual value", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bad_boot_command_line_is_one_line()
    {
        var (exit, _, stderr) = Run("run", "--memory", "64M", "--cmdline", "page_owner=perhaps");
        Assert.NotEqual(0, exit);
        Assert.Single(Lines(stderr));
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Address_space_refused_is_one_line_saying_out_of_memory_with_exit_code_1()
    {
        var stderr = new StringWriter();
        int exit = ErrorHandler.Run("sort", () => throw new InsufficientMemoryException("could not reserve 1363148800 bytes of address space (errno 12)"), new CliContext(TextWriter.Null, stderr), verbose: false, out bool failed);
        Assert.True(failed);
        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Equal(["pageext sort: out of memory: could not reserve 1363148800 bytes of address space (errno 12)"], Lines(stderr.ToString()));
    }

    [Fact]
    public void An_unexpected_exception_is_one_line_with_a_hint_and_exit_code_70()
    {
        var stderr = new StringWriter();
        int exit = ErrorHandler.Run("demo", () => throw new InvalidOperationException("the free list is corrupt\nsecond line"), new CliContext(TextWriter.Null, stderr), verbose: false);
        Assert.Equal(ExitCodes.InternalError, exit);
        Assert.Equal(
            ["pageext demo: internal error: InvalidOperationException: the free list is corrupt. This is a bug in PageExt: rerun with PAGEEXT_DEBUG=1 to see the trace, and report it."],
            Lines(stderr.ToString()));
    }

    [Fact]
    public void Verbose_adds_the_trace_after_the_one_line()
    {
        string folder = Path.GetTempPath();
        var quiet = Run("sort", folder, "-");
        var verbose = Run("--verbose", "sort", folder, "-");
        Assert.Equal(quiet.Exit, verbose.Exit);
        Assert.DoesNotContain("   at ", quiet.Stderr, StringComparison.Ordinal);
        Assert.StartsWith(Lines(quiet.Stderr)[0], verbose.Stderr, StringComparison.Ordinal);
        Assert.Contains("PageExt.Cli.CliException", verbose.Stderr, StringComparison.Ordinal);
        Assert.Contains("   at ", verbose.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void One_line_drops_the_parameter_name_and_actual_value_the_runtime_appends()
    {
        var e = new ArgumentOutOfRangeException("maxPfn", 4294967296L, "at most 16 TiB");
        Assert.Equal("at most 16 TiB", ErrorHandler.OneLine(e));
    }
}
