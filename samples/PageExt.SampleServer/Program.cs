// A Kestrel server whose socket buffers are PageExt pages, with the machine's debugfs and procfs
// files served on loopback. Configuration (appsettings, environment, command line):
//   --urls / ASPNETCORE_URLS       where to listen (default http://127.0.0.1:5080)
//   --PageExt:Pool default|pageext Kestrel's own pool, or the PageExt pool (default pageext)
//   --PageExt:CommandLine "..."    the pool machine's boot command line (default page_owner=on)
//   --PageExt:MemoryMiB N          the pool machine's memory (default 1024)
//   --PageExt:Stats true           serve GET /stats (or environment PageExt__Stats=true): the
//                                  process's counters that bench/pool-bench.sh reads around a run
using Microsoft.AspNetCore.Http.Features;

var builder = WebApplication.CreateBuilder(args);
if (string.IsNullOrEmpty(builder.Configuration["urls"]))
{
    builder.WebHost.UseUrls("http://127.0.0.1:5080");
}

builder.Logging.SetMinimumLevel(LogLevel.Warning);
bool pageExtPool = !string.Equals(builder.Configuration["PageExt:Pool"], "default", StringComparison.OrdinalIgnoreCase);
if (pageExtPool)
{
    long memoryMiB = builder.Configuration.GetValue("PageExt:MemoryMiB", 1024L);
    builder.Services.AddPageExtMemoryPool(
        builder.Configuration["PageExt:CommandLine"] ?? "page_owner=on",
        options => options.MemoryBytes = memoryMiB << 20);
}

var app = builder.Build();

app.MapGet("/", () => "Hello, World!");
app.MapGet("/plaintext", () => "Hello, World!");

// Reads the whole body through Kestrel's pipe (the pool's buffers) and answers with its length.
app.MapPost("/echo", async (HttpContext context) =>
{
    long total = 0;
    var reader = context.Request.BodyReader;
    while (true)
    {
        var result = await reader.ReadAsync(context.RequestAborted);
        total += result.Buffer.Length;
        reader.AdvanceTo(result.Buffer.End);
        if (result.IsCompleted)
        {
            break;
        }
    }

    return Results.Text($"{total}\n");
});

if (pageExtPool)
{
    app.MapPageExtDebug();
}

// Totals since start, one line of name=value; a load generator reads it before and after a run
// and divides the differences by the requests it made. Off unless asked for: the route is one
// more for the router to match.
if (builder.Configuration.GetValue("PageExt:Stats", false))
{
    var factory = app.Services.GetService<PageExt.AspNetCore.PageExtMemoryPoolFactory>();
    app.MapGet("/stats", () =>
    {
        var line = new System.Text.StringBuilder();
        line.Append(System.Globalization.CultureInfo.InvariantCulture,
            $"allocated_bytes={GC.GetTotalAllocatedBytes(precise: true)} gen0_collections={GC.CollectionCount(0)} jit_methods={System.Runtime.JitInfo.GetCompiledMethodCount()}");
        if (factory is not null)
        {
            long rents = 0, copies = 0;
            foreach (var pool in factory.Pools)
            {
                rents += pool.RentedCount;
                copies += pool.ArrayCopyCount;
            }

            line.Append(System.Globalization.CultureInfo.InvariantCulture, $" rents={rents} array_copies={copies}");
        }

        return line.Append('\n').ToString();
    });
}

app.Lifetime.ApplicationStarted.Register(() =>
{
    var addresses = app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>().Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>();
    Console.WriteLine($"PageExt sample server ({(pageExtPool ? "PageExt pool" : "Kestrel's default pool")}) listening on {string.Join(", ", addresses?.Addresses ?? [])}");
});

app.Run();
