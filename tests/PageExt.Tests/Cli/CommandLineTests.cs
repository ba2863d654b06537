using System.Reflection;
using PageExt.Cli;
using PageExt.Cli.Commands;

namespace PageExt.Tests.Cli;

/// <summary>The conventions every command shares: help with examples, --version, suggestions, response files, exit codes, boot warnings.</summary>
public sealed class CommandLineTests
{
    public static TheoryData<string> Commands => [.. CommandTable.CreateRoot(new CliContext(TextWriter.Null, TextWriter.Null)).Subcommands.Select(c => c.Name)];

    private static (int Exit, string Stdout, string Stderr) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int exit = CommandTable.Run(args, new CliContext(stdout, stderr));
        return (exit, stdout.ToString(), stderr.ToString());
    }

    [Theory]
    [MemberData(nameof(Commands))]
    public void Every_command_has_help_with_examples_on_stdout_and_exit_0(string command)
    {
        var (exit, stdout, stderr) = Run(command, "--help");
        Assert.Equal(0, exit);
        Assert.Contains($"pageext {command}", stdout, StringComparison.Ordinal);
        Assert.Contains("Examples:\n  pageext " + command, stdout.Replace("\r", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Equal("", stderr);
    }

    [Theory]
    [MemberData(nameof(Commands))]
    public void Every_command_prints_the_version_with_version(string command)
    {
        string version = typeof(CommandTable).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion;
        var (exit, stdout, _) = Run(command, "--version");
        Assert.Equal(0, exit);
        Assert.Equal(version, stdout.Trim());
        Assert.Equal(version, Run("--version").Stdout.Trim());
    }

    [Fact]
    public void The_top_level_help_lists_every_command()
    {
        var (exit, stdout, _) = Run("--help");
        Assert.Equal(0, exit);
        foreach (var command in Commands)
        {
            Assert.Contains($"  {command}", stdout, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_misspelled_option_is_a_usage_error_that_suggests_the_right_one()
    {
        var (exit, _, stderr) = Run("demo", "--memroy", "1G");
        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Contains("'--memroy' was not matched. Did you mean one of the following?", stderr, StringComparison.Ordinal);
        Assert.Contains("--memory", stderr.Replace("--memroy", "", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public void A_misspelled_command_suggests_the_right_one()
    {
        var (exit, _, stderr) = Run("dmeo");
        Assert.Equal(ExitCodes.Usage, exit);
        // "dmesg" is as near to "dmeo" as "demo" is; the suggestions list both.
        string text = stderr.Replace("\r", "", StringComparison.Ordinal);
        Assert.Contains("Did you mean one of the following?\n", text, StringComparison.Ordinal);
        Assert.Contains("\ndemo\n", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("run --cmdline")]
    [InlineData("demo extra")]
    [InlineData("top")]
    [InlineData("run --page-owner-format 1999")]
    [InlineData("run --stacks-threshold -5")]
    [InlineData("params --cmdline")]
    [InlineData("")]
    public void Usage_errors_exit_1(string commandLine)
    {
        var (exit, _, stderr) = Run(commandLine.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Contains("--help' for usage.", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Sort_keeps_page_owner_sort_s_syntax_and_refuses_extra_files()
    {
        var (exit, _, stderr) = Run("sort", "in.txt", "out.txt", "stray.txt");
        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Contains("unexpected argument 'stray.txt'", stderr, StringComparison.Ordinal);
        var bundled = Run("sort", "/nonexistent/in", "-m", "--cu=st", "-");
        Assert.Equal(ExitCodes.Usage, bundled.Exit);
        Assert.Contains("cannot open input '/nonexistent/in'", bundled.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_misspelled_sort_option_suggests_page_owner_sort_s_option()
    {
        var (exit, _, stderr) = Run("sort", "--cuil=st", "in.txt", "out.txt");
        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Contains("Did you mean --cull?", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_response_file_supplies_arguments()
    {
        string rsp = Path.GetTempFileName();
        try
        {
            File.WriteAllText(rsp, "--memory 64M\n--steps 500\n--cmdline \"page_owner=on\"\n");
            var (exit, stdout, _) = Run("demo", "@" + rsp);
            Assert.Equal(0, exit);
            Assert.Contains("# pageext demo: 64 MiB", stdout, StringComparison.Ordinal);
            Assert.Contains("Kernel command line: page_owner=on", stdout, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(rsp);
        }
    }

    [Fact]
    public void Tab_completion_answers_the_suggest_directive()
    {
        var (exit, stdout, _) = Run("[suggest:8]", "pageext d");
        Assert.Equal(0, exit);
        Assert.Contains("demo", stdout, StringComparison.Ordinal);
        Assert.Contains("diff", stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("demo")]
    [InlineData("run")]
    public void An_unknown_boot_parameter_is_reported_as_the_kernel_reports_it(string command)
    {
        var (exit, _, stderr) = Run(command, "--memory", "64M", "--steps", "100", "--cmdline", "page_ownr=on");
        Assert.Equal(0, exit);
        Assert.Contains("Unknown kernel command line parameters \"page_ownr=on\", will be passed to user space.\n", stderr.Replace("\r", "", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public void Demo_prints_the_boot_log_lines_that_matter()
    {
        var (exit, stdout, _) = Run("demo", "--memory", "128M", "--steps", "1000", "--cmdline", "page_owner=on");
        Assert.Equal(0, exit);
        Assert.Contains("\nKernel command line: page_owner=on\n", stdout, StringComparison.Ordinal);
        Assert.Matches(@"\nallocated \d+ bytes of page_ext\n", stdout);
        Assert.Matches(@"page owner found early allocated \d+ pages\n", stdout);
    }
}
