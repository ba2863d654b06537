using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PageExt.Boot;
using PageExt.DebugPageAlloc;
using PageExt.Physical;

namespace PageExt.AspNetCore.Tests;

public sealed unsafe class PoolTests : IDisposable
{
    private readonly TestLoggerProvider _logs = new();
    private readonly ILoggerFactory _loggerFactory;
    private PageExtMemoryPoolFactory? _factory;

    public PoolTests()
    {
        _loggerFactory = LoggerFactory.Create(builder => builder.AddProvider(_logs).SetMinimumLevel(LogLevel.Trace));
    }

    public void Dispose()
    {
        _factory?.Dispose();
        _loggerFactory.Dispose();
    }

    [Fact]
    public void RentWithoutASizeGivesOnePage()
    {
        var pool = CreatePool("");
        using var first = pool.Rent();
        using var second = pool.Rent(-1);
        Assert.Equal(PageSize.Bytes, first.Memory.Length);
        Assert.Equal(PageSize.Bytes, second.Memory.Length);
        Assert.Equal(0, Buffer(first).Order);
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, 0)]
    [InlineData(4096, 0)]
    [InlineData(4097, 1)]
    [InlineData(8192, 1)]
    [InlineData(12288, 2)]
    [InlineData(65536, 4)]
    [InlineData(65537, 5)]
    [InlineData(PageExtMemoryPool.MaxBlockSize, 10)]
    public void TheOrderIsTheSmallestBlockHoldingTheSize(int size, int order)
    {
        var pool = CreatePool("");
        using var owner = pool.Rent(size);
        Assert.Equal(order, Buffer(owner).Order);
        Assert.Equal(PageSize.Bytes << order, owner.Memory.Length);
    }

    [Theory]
    [InlineData(PageExtMemoryPool.MaxBlockSize + 1)]
    [InlineData(-2)]
    [InlineData(int.MinValue)]
    public void SizesOutsideZeroToMaxBufferSizeAreRefused(int size)
    {
        var pool = CreatePool("");
        Assert.Equal(PageExtMemoryPool.MaxBlockSize, pool.MaxBufferSize);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => pool.Rent(size));
        Assert.Equal("minBufferSize", e.ParamName);
    }

    [Fact]
    public void PinReturnsThePageAddress()
    {
        var pool = CreatePool("");
        using var owner = pool.Rent(3 * PageSize.Bytes);
        var pfn = Buffer(owner).Pfn;
        using var handle = owner.Memory.Pin();
        using var inner = owner.Memory[100..].Pin();
        Assert.Equal(_factory!.Machine.PageAddress(pfn), (nint)handle.Pointer);
        Assert.Equal(_factory.Machine.PageAddress(pfn) + 100, (nint)inner.Pointer);
        fixed (byte* first = owner.Memory.Span)
        {
            Assert.Equal((nint)handle.Pointer, (nint)first);
        }
    }

    [Fact]
    public void DisposingTheOwnerFreesItsPages()
    {
        var pool = CreatePool("page_owner=on");
        var owner = pool.Rent(16 * PageSize.Bytes);
        var pfn = Buffer(owner).Pfn;
        Assert.True(_factory!.Machine.PageOwner.GetOwner(pfn)!.Allocated);

        owner.Dispose();

        Assert.False(_factory.Machine.PageOwner.GetOwner(pfn)!.Allocated);
        Assert.Equal(1, ((PageExtMemoryPool)pool).ReturnedCount);
    }

    [Fact]
    public void TryGetArrayHandsOutACopyOfThePagesAndCountsIt()
    {
        var pool = (PageExtMemoryPool)CreatePool("");
        using var owner = pool.Rent();
        owner.Memory.Span.Fill(7);
        Assert.Equal(0, pool.ArrayCopyCount);

        Assert.True(MemoryMarshal.TryGetArray<byte>(owner.Memory[16..], out var segment));

        Assert.Equal(1, pool.ArrayCopyCount);
        Assert.Equal(16, segment.Offset);
        Assert.Equal(PageSize.Bytes - 16, segment.Count);
        Assert.All(segment, b => Assert.Equal(7, b));
        segment.Array![segment.Offset] = 9;
        Assert.Equal(7, owner.Memory.Span[16]);
    }

    [Fact]
    public void UsingAReturnedOwnerThrowsObjectDisposed()
    {
        var pool = CreatePool("");
        var owner = pool.Rent();
        owner.Dispose();
        Assert.Throws<ObjectDisposedException>(() => owner.Memory.Span.Length);
        Assert.Throws<ObjectDisposedException>(() => owner.Memory.Pin());
    }

    [Fact]
    public void ADoubleReturnIsReportedAndLoggedAndLeavesTheNextRentersPagesAlone()
    {
        var pool = (PageExtMemoryPool)CreatePool("page_owner=on");
        var reports = new List<DoubleReturnReport>();
        pool.DoubleReturn += reports.Add;
        var first = RentForTest(pool);
        var pfn = Buffer(first).Pfn;
        ReturnForTest(first);
        using var second = pool.Rent();
        Assert.Equal(pfn, Buffer(second).Pfn);

        first.Dispose();

        var report = Assert.Single(reports);
        Assert.Equal(pfn, report.Pfn);
        Assert.Contains($"double return of the buffer at pfn {pfn} order 0; the second return is ignored", report.Text, StringComparison.Ordinal);
        Assert.Contains(nameof(ADoubleReturnIsReportedAndLoggedAndLeavesTheNextRentersPagesAlone), report.Text, StringComparison.Ordinal);
        Assert.True(_factory!.Machine.PageOwner.GetOwner(pfn)!.Allocated);
        Assert.Equal(0, _factory.Machine.Allocator.BadPageCount);
        Assert.Equal(1, pool.ReturnedCount);
        Assert.Contains(_logs.Messages, m => m.Level == LogLevel.Error && m.Message.Contains("double return", StringComparison.Ordinal));
        second.Memory.Span.Fill(1);
    }

    [Fact]
    public void ReturningFromTwoThreadsAtOnceFreesOnceAndReportsOnce()
    {
        var pool = (PageExtMemoryPool)CreatePool("");
        int reports = 0;
        pool.DoubleReturn += _ => Interlocked.Increment(ref reports);
        for (int i = 0; i < 200; i++)
        {
            var owner = pool.Rent();
            using var start = new Barrier(2);
            var threads = Enumerable.Range(0, 2).Select(_ => new Thread(() =>
            {
                start.SignalAndWait();
                owner.Dispose();
            })).ToArray();
            Array.ForEach(threads, t => t.Start());
            Array.ForEach(threads, t => t.Join());
        }

        Assert.Equal(200, reports);
        Assert.Equal(200, pool.ReturnedCount);
        Assert.Equal(0, _factory!.Machine.Allocator.BadPageCount);
    }

    [Fact]
    public void AWriteAfterReturnIsCaughtByPoisonWithTheRentAndReturnStacks()
    {
        var pool = CreatePool("page_owner=on page_poison=1");
        var corruptions = new List<PageCorruptionReport>();
        _factory!.Corruption += corruptions.Add;
        var owner = RentForTest(pool);
        var span = owner.Memory.Span;
        var pfn = Buffer(owner).Pfn;
        ReturnForTest(owner);

        span[0x7f3] = 0x41;
        using var next = pool.Rent();

        var report = Assert.Single(corruptions);
        Assert.Equal(pfn, report.Pfn);
        Assert.Equal(0x7f3, report.FirstOffset);
        string text = report.Text;
        int allocated = text.IndexOf("page last allocated via order 0", StringComparison.Ordinal);
        int freed = text.IndexOf("page last free pid", StringComparison.Ordinal);
        Assert.True(allocated >= 0 && freed > allocated, text);
        Assert.Contains("PageExt.AspNetCore.PageExtMemoryPool.Rent", text[allocated..freed], StringComparison.Ordinal);
        Assert.Contains(nameof(RentForTest), text[allocated..freed], StringComparison.Ordinal);
        Assert.Contains(nameof(ReturnForTest), text[freed..], StringComparison.Ordinal);
        Assert.Contains(_logs.Messages, m => m.Level == LogLevel.Error && m.Message.Contains("pagealloc: memory corruption", StringComparison.Ordinal));
    }

    [Fact]
    public void DisposingThePoolListsTheBuffersStillRentedWithTheirStacks()
    {
        var pool = (PageExtMemoryPool)CreatePool("page_owner=on");
        var kept = new[] { RentForTest(pool), RentForTest(pool) };
        RentForTest(pool).Dispose();
        var keptPfns = kept.Select(o => Buffer(o).Pfn).Order().ToArray();

        pool.Dispose();
        pool.Dispose();

        var report = pool.LeakReport!;
        Assert.NotNull(report);
        Assert.Contains("2 buffer(s) still rented, 1 of 3 returned", report.Text, StringComparison.Ordinal);
        Assert.Equal(keptPfns, report.Buffers.Select(b => b.Pfn).ToArray());
        Assert.All(report.Buffers, b => Assert.Contains(nameof(RentForTest), b.OwnerText, StringComparison.Ordinal));
        Assert.Single(_logs.Messages, m => m.Level == LogLevel.Warning && m.Message.Contains("1 of 3 returned", StringComparison.Ordinal));
        Assert.Throws<ObjectDisposedException>(() => pool.Rent());

        // Late returns still free the pages.
        Array.ForEach(kept, o => o.Dispose());
        Assert.All(keptPfns, pfn => Assert.False(_factory!.Machine.PageOwner.GetOwner(pfn)!.Allocated));
    }

    [Fact]
    public void APoolWithEveryBufferReturnedReportsNothing()
    {
        var pool = (PageExtMemoryPool)CreatePool("");
        pool.Rent().Dispose();
        pool.Dispose();
        Assert.Null(pool.LeakReport);
        Assert.DoesNotContain(_logs.Messages, m => m.Level >= LogLevel.Warning);
    }

    [Fact]
    public void RentAndReturnAllocateOnlyAThirtyTwoByteOwner()
    {
        var pool = CreatePool("");
        for (int i = 0; i < 100; i++)
        {
            pool.Rent().Dispose();
        }

        const int Pairs = 10_000;
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < Pairs; i++)
        {
            pool.Rent().Dispose();
        }

        // The owner is all a rent allocates: an object header and three fields (the pool, the
        // PFN, the order and state), the smallest that still tells a stale owner from the next one.
        long perPair = (GC.GetAllocatedBytesForCurrentThread() - before) / Pairs;
        Assert.True(perPair <= 32, $"{perPair} bytes per rent and return");
    }

    [Fact]
    public void ConcurrentRentsAndReturnsBalance()
    {
        var pool = (PageExtMemoryPool)CreatePool("page_owner=on");
        var threads = Enumerable.Range(0, 4).Select(t => new Thread(() =>
        {
            var held = new Queue<IMemoryOwner<byte>>();
            for (int i = 0; i < 5000; i++)
            {
                var owner = pool.Rent(((i * 7) + t) % 3 * PageSize.Bytes);
                owner.Memory.Span[0] = (byte)i;
                held.Enqueue(owner);
                if (held.Count > 8)
                {
                    held.Dequeue().Dispose();
                }
            }

            while (held.Count > 0)
            {
                held.Dequeue().Dispose();
            }
        })).ToArray();
        Array.ForEach(threads, t => t.Start());
        Array.ForEach(threads, t => t.Join());

        Assert.Equal(20000, pool.RentedCount);
        Assert.Equal(20000, pool.ReturnedCount);
        pool.Dispose();
        Assert.Null(pool.LeakReport);
        Assert.Equal(0, _factory!.Machine.Allocator.BadPageCount);
    }

    [Fact]
    public void AFullMachineRefusesWithInsufficientMemory()
    {
        var pool = CreatePool("", memoryBytes: 64L << 20);
        var held = new List<IMemoryOwner<byte>>();
        var e = Assert.Throws<InsufficientMemoryException>(() =>
        {
            for (int i = 0; i < 1000; i++)
            {
                held.Add(pool.Rent(PageExtMemoryPool.MaxBlockSize));
            }
        });
        Assert.Contains("no free block of order 10", e.Message, StringComparison.Ordinal);
        held.ForEach(o => o.Dispose());
    }

    [Fact]
    public void TheFactoryNamesEachPoolByItsOwnerAndDisposesThemWithTheMachine()
    {
        CreatePool("");
        var kestrel = (PageExtMemoryPool)_factory!.Create(new MemoryPoolOptions { Owner = "kestrel" });
        Assert.Equal("kestrel", kestrel.Owner);
        Assert.Equal(2, _factory.Pools.Count);
        var owner = kestrel.Rent();

        _factory.Dispose();
        _factory.Dispose();

        Assert.True(kestrel.IsDisposed);
        Assert.Contains("'kestrel' disposed with 1 buffer(s) still rented, 0 of 1 returned", kestrel.LeakReport!.Text, StringComparison.Ordinal);
        Assert.True(_factory.Machine.IsDisposed);
        Assert.Throws<ObjectDisposedException>(() => owner.Memory.Span.Length);
        owner.Dispose();
        Assert.Throws<ObjectDisposedException>(() => _factory.Create());
    }

    [Theory]
    [InlineData("page_owner=maybe", "page_owner")]
    [InlineData("page_poison=1 debug_guardpage_minorder=9", "debug_guardpage_minorder")]
    [InlineData("page_ownr=on", "page_ownr=on")]
    public void ABadCommandLineFailsAtRegistrationNamingTheParameter(string commandLine, string named)
    {
        var services = new ServiceCollection();
        var e = Assert.Throws<BootParameterException>(() => services.AddPageExtMemoryPool(commandLine));
        Assert.Contains(named, e.Message, StringComparison.Ordinal);
        Assert.Empty(services);
    }

    [Fact]
    public void RegistrationResolvesThePageExtFactoryAsTheMemoryPoolFactory()
    {
        var services = new ServiceCollection();
        services.AddPageExtMemoryPool("page_owner=on", options => options.MemoryBytes = 64L << 20);
        using var provider = services.BuildServiceProvider();
        var factory = provider.GetRequiredService<IMemoryPoolFactory<byte>>();
        Assert.Same(provider.GetRequiredService<PageExtMemoryPoolFactory>(), factory);
        Assert.True(((PageExtMemoryPoolFactory)factory).Machine.PageOwner.IsEnabled);
        Assert.Equal(64L << 20, ((PageExtMemoryPoolFactory)factory).Machine.Description.MemoryBytes);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static IMemoryOwner<byte> RentForTest(MemoryPool<byte> pool) => pool.Rent();

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ReturnForTest(IMemoryOwner<byte> owner) => owner.Dispose();

    private static PageBuffer Buffer(IMemoryOwner<byte> owner) => (PageBuffer)owner;

    private MemoryPool<byte> CreatePool(string commandLine, long memoryBytes = 128L << 20)
    {
        _factory = new PageExtMemoryPoolFactory(new PageExtMemoryPoolOptions { CommandLine = commandLine, MemoryBytes = memoryBytes }, _loggerFactory);
        return _factory.Create();
    }
}
