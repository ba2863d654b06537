using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace PageExt.AspNetCore.Tests;

/// <summary>The debugfs and procfs endpoints over a real Kestrel: their formats, their streaming, and who may read them.</summary>
public sealed class DebugEndpointTests
{
    [Fact]
    public async Task EveryEndpointAnswersALoopbackClientInTheKernelsFormat()
    {
        await using var host = await KestrelHost.StartAsync("page_owner=on", app => app.MapPageExtDebug());
        using var held = HoldBuffer(host);
        using var client = new HttpClient();

        string dump = await client.GetStringAsync(host.Loopback("/debug/page_owner"));
        Assert.StartsWith("Page allocated via order ", dump, StringComparison.Ordinal);
        Assert.Contains("\nPFN 0x", dump, StringComparison.Ordinal);

        // page_owner_stacks lists the stacks of live pages, the held buffer's among them.
        string stacks = await client.GetStringAsync(host.Loopback("/debug/page_owner_stacks/show_stacks"));
        Assert.Matches(@"PageExt\.AspNetCore\.PageExtMemoryPool\.Rent\+0x[0-9a-f]+/0x[0-9a-f]+\n PageExt\.AspNetCore\.Tests\.DebugEndpointTests\.HoldBuffer\+[^\n]*\n(?: [^\n]*\n)*nr_base_pages: 4\n", stacks);

        string buddyinfo = await client.GetStringAsync(host.Loopback("/proc/buddyinfo"));
        Assert.Matches(@"^Node 0, zone      DMA( +\d+){11} \n", buddyinfo);

        string pagetypeinfo = await client.GetStringAsync(host.Loopback("/proc/pagetypeinfo"));
        Assert.StartsWith("Page block order: 9\nPages per block:  512\n", pagetypeinfo, StringComparison.Ordinal);
        Assert.Contains("Number of mixed blocks", pagetypeinfo, StringComparison.Ordinal);

        using var report = await client.GetAsync(host.Loopback("/debug/pageext/report.html"));
        Assert.Equal(HttpStatusCode.OK, report.StatusCode);
        Assert.Equal("text/html", report.Content.Headers.ContentType!.MediaType);
        string html = await report.Content.ReadAsStringAsync();
        Assert.StartsWith("<!DOCTYPE html>", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("PageExt memory pool: 256 MiB", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ThePageOwnerDumpIsStreamedAndPageextSortReadsItFromAPipe()
    {
        await using var host = await KestrelHost.StartAsync("page_owner=on", app => app.MapPageExtDebug());
        using var held = HoldBuffer(host);
        using var client = new HttpClient();
        using var response = await client.GetAsync(host.Loopback("/debug/page_owner"), HttpCompletionOption.ResponseHeadersRead);
        Assert.True(response.Headers.TransferEncodingChunked, "the dump is written as it is produced, with no Content-Length");
        Assert.Null(response.Content.Headers.ContentLength);

        // curl .../debug/page_owner | pageext sort - -
        string cli = Path.Combine(AppContext.BaseDirectory, "PageExt.Cli.dll");
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { cli, "sort", "-", "-" })
        {
            start.ArgumentList.Add(arg);
        }

        using var sort = Process.Start(start)!;
        var stdout = sort.StandardOutput.ReadToEndAsync();
        var stderr = sort.StandardError.ReadToEndAsync();
        await using (var body = await response.Content.ReadAsStreamAsync())
        {
            await body.CopyToAsync(sort.StandardInput.BaseStream);
        }

        sort.StandardInput.Close();
        await sort.WaitForExitAsync();

        Assert.True(sort.ExitCode == 0, await stderr);
        Assert.Equal("", await stderr);
        string sorted = await stdout;
        Assert.Matches(@"^\d+ times, \d+ pages", sorted);
        Assert.Contains("1 times, 4 pages", sorted, StringComparison.Ordinal);
        Assert.Contains("PageExt.AspNetCore.Tests.DebugEndpointTests.HoldBuffer+", sorted, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AClientThatHangsUpMidDumpEndsTheRequestWithoutAnError()
    {
        await using var host = await KestrelHost.StartAsync("page_owner=on", app => app.MapPageExtDebug());

        // About 20 MB of dump: more than the sockets can hold once the client stops reading.
        var pool = host.Factory.Create();
        var held = Enumerable.Range(0, 20000).Select(_ => pool.Rent()).ToList();
        using (var client = new HttpClient())
        {
            using var response = await client.GetAsync(host.Loopback("/debug/page_owner"), HttpCompletionOption.ResponseHeadersRead);
            await using var body = await response.Content.ReadAsStreamAsync();
            Assert.True(await body.ReadAsync(new byte[100]) > 0);
        }

        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!host.Logs.Messages.Any(m => m.Message.Contains("Request finished", StringComparison.Ordinal) && m.Message.Contains("/debug/page_owner", StringComparison.Ordinal))
            && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.Contains(host.Logs.Messages, m => m.Message.Contains("Request finished", StringComparison.Ordinal));
        Assert.DoesNotContain(host.Logs.Messages, m => m.Level >= Microsoft.Extensions.Logging.LogLevel.Error);
        held.ForEach(o => o.Dispose());
    }

    [Fact]
    public async Task WithPageOwnerOffItsFilesAreAbsentAndTheProcFilesStay()
    {
        await using var host = await KestrelHost.StartAsync("", app => app.MapPageExtDebug());
        using var client = new HttpClient();
        using var dump = await client.GetAsync(host.Loopback("/debug/page_owner"));
        using var stacks = await client.GetAsync(host.Loopback("/debug/page_owner_stacks/show_stacks"));
        using var buddyinfo = await client.GetAsync(host.Loopback("/proc/buddyinfo"));
        Assert.Equal(HttpStatusCode.NotFound, dump.StatusCode);
        Assert.Contains("page_owner=on", await dump.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, stacks.StatusCode);
        Assert.Equal(HttpStatusCode.OK, buddyinfo.StatusCode);
    }

    [NonLoopbackFact]
    public async Task AClientOnANonLoopbackAddressGets403ByDefault()
    {
        await using var host = await KestrelHost.StartAsync("page_owner=on", app =>
        {
            app.MapGet("/", () => "Hello, World!");
            app.MapPageExtDebug();
        }, bindAddress: "0.0.0.0");
        using var client = new HttpClient();
        string remote = NonLoopbackFactAttribute.Address!.ToString();

        foreach (string path in new[] { "/debug/page_owner", "/debug/page_owner_stacks/show_stacks", "/proc/pagetypeinfo", "/proc/buddyinfo", "/debug/pageext/report.html" })
        {
            using var refused = await client.GetAsync(host.Url(remote, path));
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            Assert.Contains("loopback clients only", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            using var served = await client.GetAsync(host.Loopback(path));
            Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        }

        // The app's own endpoints are not affected.
        Assert.Equal("Hello, World!", await client.GetStringAsync(host.Url(remote, "/")));
    }

    [NonLoopbackFact]
    public async Task AnAuthorizationPolicyLetsANonLoopbackClientIn()
    {
        await using var host = await KestrelHost.StartAsync("page_owner=on", app => app.MapPageExtDebug().RequireAuthorization("debug"), bindAddress: "0.0.0.0",
            services: services => services.AddAuthorizationBuilder().AddPolicy("debug", policy => policy.RequireAssertion(context =>
                context.Resource is HttpContext http && http.Request.Headers["X-Debug-Token"] == "token")));
        using var client = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, host.Url(NonLoopbackFactAttribute.Address!.ToString(), "/proc/buddyinfo"));
        request.Headers.Add("X-Debug-Token", "token");

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("Node 0, zone", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    /// <summary>A live 16 KiB buffer of the host's pool with a stack of known name: the server's own buffers come and go.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static System.Buffers.IMemoryOwner<byte> HoldBuffer(KestrelHost host) => host.Factory.Create().Rent(4 * 4096);

    [Fact]
    public void MappingWithoutThePoolSaysWhatToRegister()
    {
        var app = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory }).Build();
        var e = Assert.Throws<InvalidOperationException>(() => app.MapPageExtDebug());
        Assert.Contains("AddPageExtMemoryPool", e.Message, StringComparison.Ordinal);
    }
}
