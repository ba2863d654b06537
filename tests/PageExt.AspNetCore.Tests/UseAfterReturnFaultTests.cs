using System.Diagnostics;

namespace PageExt.AspNetCore.Tests;

/// <summary>
/// With debug_pagealloc=on a returned buffer's pages are protected: a read or write through a span
/// taken while it was rented kills the process at that access. Run in a child process, which
/// ends by SIGABRT (134) after the runtime's AccessViolationException.
/// </summary>
public sealed class UseAfterReturnFaultTests
{
    private const int SigAbrtExitCode = 128 + 6;

    [Theory]
    [InlineData("read-after-return")]
    [InlineData("write-after-return")]
    public async Task UsingAReturnedBufferUnderDebugPageallocFaultsAtTheAccess(string mode)
    {
        string probe = Path.Combine(AppContext.BaseDirectory, "PageExt.AspNetCore.FaultProbe.dll");
        Assert.True(File.Exists(probe), $"{probe} is missing: the test project references the probe to run it as a child");
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(probe);
        start.ArgumentList.Add(mode);
        start.Environment.Remove("DOTNET_legacyCorruptedStateExceptionsPolicy");
        start.Environment["DOTNET_DbgEnableMiniDump"] = "0";
        using var child = Process.Start(start)!;
        var stderr = child.StandardError.ReadToEndAsync();
        string stdout = await child.StandardOutput.ReadToEndAsync();
        await child.WaitForExitAsync();
        string errors = await stderr;

        Assert.True(child.ExitCode == SigAbrtExitCode, $"exit code {child.ExitCode}\nstdout:\n{stdout}\nstderr:\n{errors}");
        Assert.Contains($"{mode}: touching the returned buffer", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("no fault", stdout, StringComparison.Ordinal);
        Assert.Contains("System.AccessViolationException", errors, StringComparison.Ordinal);
    }
}
