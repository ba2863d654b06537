using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace PageExt.AspNetCore.Tests;

/// <summary>A real Kestrel on a free port of <paramref name="bindAddress"/>, its socket buffers from the PageExt pool.</summary>
internal sealed class KestrelHost : IAsyncDisposable
{
    private KestrelHost(WebApplication app, int port, TestLoggerProvider logs)
    {
        App = app;
        Port = port;
        Logs = logs;
    }

    public WebApplication App { get; }

    public int Port { get; }

    /// <summary>Everything the host logged, Kestrel and the pool included.</summary>
    public TestLoggerProvider Logs { get; }

    public PageExtMemoryPoolFactory Factory => App.Services.GetRequiredService<PageExtMemoryPoolFactory>();

    public static async Task<KestrelHost> StartAsync(string commandLine, Action<WebApplication> map, string bindAddress = "127.0.0.1", Action<IServiceCollection>? services = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.WebHost.UseUrls($"http://{bindAddress}:0");
        var logs = new TestLoggerProvider();
        builder.Logging.ClearProviders().AddProvider(logs);
        builder.Services.AddPageExtMemoryPool(commandLine, options => options.MemoryBytes = 256L << 20);
        services?.Invoke(builder.Services);
        var app = builder.Build();
        map(app);
        await app.StartAsync();
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new KestrelHost(app, new Uri(address.Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal)).Port, logs);
    }

    public Uri Url(string host, string path) => new($"http://{host}:{Port}{path}");

    public Uri Loopback(string path) => Url("127.0.0.1", path);

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
