using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace PageExt.AspNetCore.Tests;

/// <summary>Real HTTP through a real Kestrel whose socket buffers are PageExt pages.</summary>
public sealed partial class ServerTrafficTests
{
    private const int PostBytes = 256 << 10;
    // An async method's frame is its state machine's MoveNext.
    private const string ReceivePath = "Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets.Internal.SocketConnection.<DoReceive>d__";

    [Fact]
    public async Task AGetAndA256KiBPostAreServedAndTheDumpShowsTheSocketReceivePathAndEveryBufferIsReturned()
    {
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        PageExtMemoryPoolFactory factory;
        string dump;
        await using (var host = await KestrelHost.StartAsync("page_owner=on page_poison=1", app =>
        {
            app.MapGet("/", () => "Hello, World!");
            app.MapPost("/upload", async (HttpContext context) =>
            {
                // Hold the body in Kestrel's receive buffers until the test has read the dump.
                entered.TrySetResult();
                await release.Task;
                long total = 0;
                while (true)
                {
                    var result = await context.Request.BodyReader.ReadAsync();
                    total += result.Buffer.Length;
                    context.Request.BodyReader.AdvanceTo(result.Buffer.End);
                    if (result.IsCompleted)
                    {
                        return Results.Text(total.ToString(System.Globalization.CultureInfo.InvariantCulture));
                    }
                }
            });
            app.MapPageExtDebug();
        }))
        {
            factory = host.Factory;
            using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
            Assert.Equal("Hello, World!", await client.GetStringAsync(host.Loopback("/")));

            var body = new byte[PostBytes];
            new Random(14).NextBytes(body);
            var post = client.PostAsync(host.Loopback("/upload"), new ByteArrayContent(body));
            await entered.Task.WaitAsync(TimeSpan.FromSeconds(30));

            // The client may still be sending: wait until the whole body sits in rented buffers.
            var deadline = DateTime.UtcNow.AddSeconds(30);
            do
            {
                dump = await client.GetStringAsync(host.Loopback("/debug/page_owner"));
            }
            while (ReceiveRecords(dump).Sum(r => r.Pages) * 4096L < PostBytes && DateTime.UtcNow < deadline && await Delay());

            release.SetResult();
            var response = await post;
            Assert.Equal(PostBytes.ToString(System.Globalization.CultureInfo.InvariantCulture), await response.Content.ReadAsStringAsync());
        }

        var receives = ReceiveRecords(dump);
        Assert.True(receives.Sum(r => r.Pages) * 4096L >= PostBytes, $"{receives.Count} receive buffers in the dump:\n{dump[^Math.Min(dump.Length, 4000)..]}");
        foreach (var (record, _) in receives)
        {
            // The allocator's fixed prefix, then the pool's Rent, then the pipe Kestrel receives into.
            var frames = record.Split('\n').Where(l => l.StartsWith(' ')).Select(l => l.Trim()).ToArray();
            Assert.StartsWith("get_page_from_freelist+", frames[0], StringComparison.Ordinal);
            Assert.StartsWith("__alloc_frozen_pages_noprof+", frames[1], StringComparison.Ordinal);
            Assert.StartsWith("PageExt.AspNetCore.PageExtMemoryPool.Rent+", frames[2], StringComparison.Ordinal);
            Assert.Contains(frames, f => f.StartsWith("System.IO.Pipelines.Pipe.", StringComparison.Ordinal));
        }

        // Every buffer Kestrel rented came back, in every pool it made (one per I/O queue).
        Assert.NotEmpty(factory.Pools);
        Assert.All(factory.Pools, pool =>
        {
            Assert.True(pool.IsDisposed);
            Assert.Equal("kestrel", pool.Owner);
            Assert.Null(pool.LeakReport);
            Assert.Equal(pool.RentedCount, pool.ReturnedCount);
        });
        Assert.True(factory.Pools.Sum(p => p.RentedCount) >= PostBytes / 4096, $"{factory.Pools.Sum(p => p.RentedCount)} rents");
    }

    [Fact]
    public async Task SmallResponsesAreSentFromThePagesAndOnlyAMultiSegmentResponseIsCopiedIntoArrays()
    {
        const int Gets = 50;
        var large = new byte[96 << 10];
        new Random(14).NextBytes(large);
        await using var host = await KestrelHost.StartAsync("", app =>
        {
            app.MapGet("/", () => "Hello, World!");
            app.MapGet("/large", () => Results.Bytes(large));
        });
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        Assert.Equal("Hello, World!", await client.GetStringAsync(host.Loopback("/")));
        long rents = host.Factory.Pools.Sum(p => p.RentedCount);

        for (int i = 0; i < Gets; i++)
        {
            Assert.Equal("Hello, World!", await client.GetStringAsync(host.Loopback("/")));
        }

        // Kestrel's socket sender passes a single segment on as memory; only a send of several
        // segments needs arrays (SocketAsyncEventArgs.BufferList), which TryGetArray copies into.
        Assert.Equal(0, host.Factory.Pools.Sum(p => p.ArrayCopyCount));
        Assert.True(host.Factory.Pools.Sum(p => p.RentedCount) - rents >= Gets, "every GET rents its buffers from the pool");

        Assert.Equal(large, await client.GetByteArrayAsync(host.Loopback("/large")));
        Assert.True(host.Factory.Pools.Sum(p => p.ArrayCopyCount) > 0, "a 96 KiB response is sent in several segments");
    }

    private static async Task<bool> Delay()
    {
        await Task.Delay(50);
        return true;
    }

    /// <summary>The dump's records whose stack runs through Kestrel's socket receive loop, with their pages.</summary>
    private static List<(string Record, int Pages)> ReceiveRecords(string dump) =>
        dump.Split("\n\n")
            .Where(r => r.Contains(ReceivePath, StringComparison.Ordinal))
            .Select(r => (r, 1 << int.Parse(Order().Match(r).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)))
            .ToList();

    [GeneratedRegex(@"^Page allocated via order (\d+),")]
    private static partial Regex Order();
}
