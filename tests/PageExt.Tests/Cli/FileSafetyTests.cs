using System.Diagnostics;
using PageExt.Cli;
using PageExt.Cli.Commands;
using PageExt.Cli.Files;
using PageExt.Platform;

namespace PageExt.Tests.Cli;

/// <summary>No command writes over an input, leaves a half-written file, or fails only after the work.</summary>
public sealed class FileSafetyTests : IDisposable
{
    private const string DumpText = "Page allocated via order 0, mask 0xcc0(GFP_KERNEL), pid 1, tgid 1 (swapper), ts 5 ns\nPFN 0x1 type Unmovable Block 0 type Unmovable Flags 0x0()\n alloc_pages+0x1/0x2\n\n";
    private readonly string _folder = Directory.CreateTempSubdirectory("pageext-files-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static (int Exit, string Stdout, string Stderr) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int exit = CommandTable.Run(args, new CliContext(stdout, stderr));
        return (exit, stdout.ToString(), stderr.ToString());
    }

    private string File(string name, string text)
    {
        string path = Path.Combine(_folder, name);
        System.IO.File.WriteAllText(path, text);
        return path;
    }

    private string[] TempFiles() => Directory.GetFiles(_folder, "*.pageext-tmp", SearchOption.AllDirectories);

    [Fact]
    public void Sort_refuses_the_same_path_as_input_and_output_and_keeps_the_file()
    {
        string dump = File("dump.txt", DumpText);
        var (exit, _, stderr) = Run("sort", dump, dump);
        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Contains("is the input", stderr, StringComparison.Ordinal);
        Assert.Equal(DumpText, System.IO.File.ReadAllText(dump));
    }

    [Fact]
    public void Sort_refuses_an_output_that_is_a_hard_link_to_the_input()
    {
        string dump = File("dump.txt", DumpText);
        string link = Path.Combine(_folder, "hard.txt");
        if (!TryLink("ln", dump, link))
        {
            return;
        }

        var (exit, _, stderr) = Run("sort", dump, link);
        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Contains($"output '{link}' is the input '{dump}'", stderr, StringComparison.Ordinal);
        Assert.Equal(DumpText, System.IO.File.ReadAllText(dump));
    }

    [Fact]
    public void Sort_refuses_an_output_that_is_a_symbolic_link_to_the_input()
    {
        string dump = File("dump.txt", DumpText);
        string link = Path.Combine(_folder, "sym.txt");
        System.IO.File.CreateSymbolicLink(link, dump);
        var (exit, _, stderr) = Run("sort", link, dump);
        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Contains("is the input", stderr, StringComparison.Ordinal);
        Assert.Equal(DumpText, System.IO.File.ReadAllText(dump));
    }

    [Fact]
    public void Sort_refuses_a_relative_spelling_of_the_input()
    {
        string dump = File("dump.txt", DumpText);
        string relative = Path.GetRelativePath(Environment.CurrentDirectory, dump);
        string roundabout = Path.Combine(_folder, "..", Path.GetFileName(_folder), ".", "dump.txt");
        var (exit, _, _) = Run("sort", relative, roundabout);
        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Equal(DumpText, System.IO.File.ReadAllText(dump));
    }

    [Fact]
    public void Sort_refuses_the_input_named_through_proc_self_fd()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        string dump = File("dump.txt", DumpText);
        using var open = new FileStream(dump, FileMode.Open, FileAccess.Read);
        string fdPath = $"/proc/self/fd/{open.SafeFileHandle.DangerousGetHandle()}";
        var (exit, _, _) = Run("sort", dump, fdPath);
        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Equal(DumpText, System.IO.File.ReadAllText(dump));
    }

    [Fact]
    public void Run_refuses_two_outputs_that_are_one_file()
    {
        string log = Path.Combine(_folder, "out.txt");
        var (exit, _, stderr) = Run("run", "--memory", "64M", "--steps", "10", "--buddyinfo", log, "--log", log);
        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Contains("are the same file", stderr, StringComparison.Ordinal);
        Assert.False(System.IO.File.Exists(log));
    }

    [Fact]
    public void Run_refuses_to_record_over_its_own_workload()
    {
        string workload = File("w.txt", "alloc a 0 GFP_KERNEL f\n");
        var (exit, _, _) = Run("run", "--memory", "64M", "--workload", workload, "--record", workload);
        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Equal("alloc a 0 GFP_KERNEL f\n", System.IO.File.ReadAllText(workload));
    }

    [Fact]
    public void A_sort_that_fails_leaves_the_old_output_as_it_was_and_no_temporary_file()
    {
        string notADump = File("notes.txt", "[Unit]\nDescription=x\n");
        string output = File("report.txt", "the previous report\n");
        var (exit, _, _) = Run("sort", notADump, output);
        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.Equal("the previous report\n", System.IO.File.ReadAllText(output));
        Assert.Empty(TempFiles());
    }

    [Fact]
    public void A_successful_sort_replaces_the_output_and_leaves_no_temporary_file()
    {
        string dump = File("dump.txt", DumpText);
        string output = File("report.txt", "the previous report\n");
        Assert.Equal(0, Run("sort", dump, output).Exit);
        Assert.StartsWith("1 times, 1 pages", System.IO.File.ReadAllText(output), StringComparison.Ordinal);
        Assert.Empty(TempFiles());
    }

    [Fact]
    public void Writing_through_a_symbolic_link_replaces_the_target_and_keeps_the_link()
    {
        string dump = File("dump.txt", DumpText);
        string target = File("target.txt", "old\n");
        string link = Path.Combine(_folder, "link.txt");
        System.IO.File.CreateSymbolicLink(link, target);
        Assert.Equal(0, Run("sort", dump, link).Exit);
        Assert.NotNull(new FileInfo(link).LinkTarget);
        Assert.StartsWith("1 times", System.IO.File.ReadAllText(target), StringComparison.Ordinal);
    }

    [Fact]
    public void A_device_output_is_written_in_place_not_renamed_over()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        string dump = File("dump.txt", DumpText);
        Assert.Equal(0, Run("sort", dump, "/dev/null").Exit);
        Assert.True(FileIdentity.TryGet("/dev/null", out var identity));
        Assert.Equal(FileKind.Other, identity.Kind);
        Assert.Empty(Directory.GetFiles("/dev", "*.pageext-tmp"));
    }

    [Fact]
    public void An_uncommitted_output_is_deleted_and_the_target_untouched()
    {
        string output = File("out.txt", "before\n");
        var context = new CliContext(new StringWriter(), new StringWriter());
        using (var file = OutputFile.OpenAll([("--log", output)], [], context)[0])
        {
            file.Writer.Write("half a report");
            Assert.Single(TempFiles());
        }

        Assert.Equal("before\n", System.IO.File.ReadAllText(output));
        Assert.Empty(TempFiles());
    }

    [Theory]
    [InlineData("--page-owner", "/nonexistent/x", "folder '/nonexistent' does not exist")]
    [InlineData("--record", "/nonexistent/w", "folder '/nonexistent' does not exist")]
    [InlineData("--log", "DIR", "it is a directory")]
    public void Run_checks_its_outputs_before_any_work(string option, string path, string message)
    {
        string workload = File("w.txt", "alloc a 0 GFP_KERNEL f\n");
        path = path == "DIR" ? _folder : path;
        var (exit, _, stderr) = Run("run", "--memory", "64M", "--cmdline", "page_owner=on", "--workload", workload, option, path);
        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Equal($"pageext run: cannot write {option} '{path}': {message}\n", stderr.Replace("\r", "", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(143, "-TERM")]
    [InlineData(130, "-INT")]
    public async Task An_interrupted_run_leaves_the_old_file_and_no_temporary_file(int exitCode, string killArgument)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        string record = File("record.txt", "the previous record\n");
        string cli = Path.Combine(AppContext.BaseDirectory, "PageExt.Cli.dll");
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };

        // The workload comes from a pipe that stays open, so the run is still going when the signal comes.
        foreach (var arg in new[] { cli, "run", "--memory", "64M", "--workload", "-", "--record", record })
        {
            start.ArgumentList.Add(arg);
        }

        using var child = Process.Start(start)!;
        child.StandardInput.Write("alloc a 0 GFP_KERNEL f\n");
        child.StandardInput.Flush();
        var stdout = child.StandardOutput.ReadToEndAsync();
        var stderr = child.StandardError.ReadToEndAsync();
        var clock = Stopwatch.StartNew();
        while (TempFiles().Length == 0 && clock.Elapsed < TimeSpan.FromSeconds(60) && !child.HasExited)
        {
            await Task.Delay(20);
        }

        Assert.Single(TempFiles());
        using (var kill = Process.Start("kill", [killArgument, child.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            kill.WaitForExit();
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await child.WaitForExitAsync(timeout.Token);
        await stdout;
        Assert.DoesNotContain("   at ", await stderr, StringComparison.Ordinal);
        Assert.Equal(exitCode, child.ExitCode);
        Assert.Equal("the previous record\n", System.IO.File.ReadAllText(record));
        Assert.Empty(TempFiles());
    }

    private static bool TryLink(string tool, string existing, string link)
    {
        if (OperatingSystem.IsWindows())
        {
            return false;
        }

        using var ln = Process.Start(tool, [existing, link]);
        ln.WaitForExit();
        return ln.ExitCode == 0;
    }
}
