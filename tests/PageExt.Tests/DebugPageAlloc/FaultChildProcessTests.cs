using System.Diagnostics;
using System.Text.RegularExpressions;

namespace PageExt.Tests.DebugPageAlloc;

/// <summary>
/// A use-after-free under debug_pagealloc=on must kill the process at the access, which a test
/// cannot survive in-process: each case runs `pageext debug-pagealloc-fault` as a child process and
/// asserts how it died. SIGABRT (exit 134) is how the runtime ends after an AccessViolationException.
/// </summary>
public sealed partial class FaultChildProcessTests
{
    private const int SigAbrtExitCode = 128 + 6;

    [Theory]
    [InlineData("read-after-free")]
    [InlineData("write-after-free")]
    [InlineData("overrun-into-guard")]
    public void TouchingFreeMemoryKillsTheChildByAnAccessFault(string mode)
    {
        var (exitCode, stdout, stderr) = RunChild([mode], legacyCorruptedStatePolicy: false);

        Assert.True(exitCode == SigAbrtExitCode, $"exit code {exitCode}\nstdout:\n{stdout}\nstderr:\n{stderr}");
        Assert.Matches(TouchLine(), stdout);
        Assert.DoesNotContain("no fault", stdout, StringComparison.Ordinal);
        Assert.Contains("System.AccessViolationException", stderr, StringComparison.Ordinal);
        Assert.Contains("DebugPageAllocFaultCommand.Run", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("BUG: unable to handle page fault", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("write-after-free", "a free page protected by debug_pagealloc")]
    [InlineData("overrun-into-guard", "a guard page")]
    public void OptInFaultReportNamesTheAddressAndThePageBeforeTheProcessDies(string mode, string what)
    {
        var (exitCode, stdout, stderr) = RunChild([mode, "--fault-report"], legacyCorruptedStatePolicy: true);

        Assert.True(exitCode == SigAbrtExitCode, $"exit code {exitCode}\nstdout:\n{stdout}\nstderr:\n{stderr}");
        var touch = TouchLine().Match(stdout);
        Assert.True(touch.Success, stdout);
        string address = touch.Groups["address"].Value;
        string pfn = touch.Groups["pfn"].Value;
        Assert.Contains($"BUG: unable to handle page fault for address: 0x{address} (pfn {pfn}, {what}", stderr, StringComparison.Ordinal);
        Assert.Contains($"page: refcount:0 mapcount:0 mapping:0000000000000000 index:0x0 pfn:{pfn}", stderr, StringComparison.Ordinal);
        Assert.Contains("page dumped because: debug_pagealloc: access to a free page", stderr, StringComparison.Ordinal);
        Assert.Contains("System.AccessViolationException", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void WithoutThePolicyTheOptInReportStaysSilent()
    {
        var (exitCode, _, stderr) = RunChild(["read-after-free", "--fault-report"], legacyCorruptedStatePolicy: false);
        Assert.Equal(SigAbrtExitCode, exitCode);
        Assert.Contains("Fatal error.", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("BUG: unable to handle page fault", stderr, StringComparison.Ordinal);
    }

    /// <summary>The child's line before it touches memory: "... pfn 0x3c50 at offset 0x123: address 0x00007f...".</summary>
    [GeneratedRegex(@"(?:freed pfn|into pfn) (?<pfn>0x[0-9a-f]+) at offset 0x123: address 0x(?<address>[0-9a-f]{16})")]
    private static partial Regex TouchLine();

    private static (int ExitCode, string Stdout, string Stderr) RunChild(string[] args, bool legacyCorruptedStatePolicy)
    {
        string cli = Path.Combine(AppContext.BaseDirectory, "PageExt.Cli.dll");
        Assert.True(File.Exists(cli), $"{cli} is missing: the test project references PageExt.Cli to run it as a child");
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(cli);
        start.ArgumentList.Add("debug-pagealloc-fault");
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment.Remove("DOTNET_legacyCorruptedStateExceptionsPolicy");
        if (legacyCorruptedStatePolicy)
        {
            start.Environment["DOTNET_legacyCorruptedStateExceptionsPolicy"] = "1";
        }

        // No crash dumps from an expected crash.
        start.Environment["DOTNET_DbgEnableMiniDump"] = "0";
        using var child = Process.Start(start)!;
        var stderr = child.StandardError.ReadToEndAsync();
        string stdout = child.StandardOutput.ReadToEnd();
        child.WaitForExit();
        return (child.ExitCode, stdout, stderr.Result);
    }
}
