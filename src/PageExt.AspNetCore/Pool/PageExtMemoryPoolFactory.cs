using System.Buffers;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using PageExt.Boot;
using PageExt.Buddy;
using PageExt.DebugPageAlloc;

namespace PageExt.AspNetCore;

/// <summary>
/// The <see cref="IMemoryPoolFactory{T}"/> Kestrel's socket transport asks for its buffers (one
/// pool per I/O queue): it boots one PageExt machine and cuts every pool it creates from it, so
/// one page_owner dump and one /proc/buddyinfo show all of them. It logs what the machine reports
/// about the pools' pages: page_poison corruptions and bad-page reports.
/// <para>
/// Lifecycle: the constructor boots (a bad command line throws <see cref="BootParameterException"/>
/// naming the parameter); <see cref="Dispose"/> disposes the pools still open, which report the
/// buffers still rented, then the machine.
/// </para>
/// <para>
/// Concurrency model: <see cref="Create"/> and <see cref="Dispose"/> may run on any thread; the
/// list of pools is guarded by a lock that no rent or return takes.
/// </para>
/// </summary>
public sealed class PageExtMemoryPoolFactory : IMemoryPoolFactory<byte>, IDisposable
{
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly List<PageExtMemoryPool> _pools = [];
    private readonly Lock _lock = new();
    private bool _disposed;

    public PageExtMemoryPoolFactory(PageExtMemoryPoolOptions options, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        Validate(options);
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        _logger = _loggerFactory.CreateLogger<PageExtMemoryPoolFactory>();
        Machine = Machine.Boot(options.ToDescription());
        Machine.Allocator.BadPage += report => PoolLog.BadPage(_logger, report.ToString());
        if (Machine.DebugPageAlloc is { } debug)
        {
            debug.Corruption += OnCorruption;
        }

        PoolLog.Booted(_logger, options.MemoryBytes >> 20, options.CommandLine);
    }

    /// <summary>Raised for each page_poison corruption found in a page of the pools, after it is logged.</summary>
    public event Action<PageCorruptionReport>? Corruption;

    /// <summary>The machine every pool of this factory takes its pages from.</summary>
    public Machine Machine { get; }

    /// <summary>The pools created so far, disposed or not.</summary>
    public IReadOnlyList<PageExtMemoryPool> Pools
    {
        get
        {
            lock (_lock)
            {
                return [.. _pools];
            }
        }
    }

    /// <summary>
    /// Check the options as boot would, without booting. Unlike the kernel, which passes unknown
    /// parameters on to init, a pool has no one to pass them to: a misspelled parameter is refused
    /// here too, so it cannot silently leave a feature off.
    /// </summary>
    public static void Validate(PageExtMemoryPoolOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var parse = BootCommandLine.Parse(options.CommandLine);
        if (parse.UnknownParameters.Count > 0)
        {
            throw new BootParameterException(
                $"Unknown kernel command line parameters \"{string.Join(' ', parse.UnknownParameters)}\" for the PageExt memory pool "
                + "(`pageext params --markdown` lists the parameters)");
        }

        Machine.Validate(options.ToDescription());
    }

    /// <summary>A new pool over the factory's machine; <paramref name="options"/>' owner names it in reports.</summary>
    public MemoryPool<byte> Create(MemoryPoolOptions? options = null)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var pool = new PageExtMemoryPool(Machine, options?.Owner, _loggerFactory.CreateLogger<PageExtMemoryPool>());
            _pools.Add(pool);
            return pool;
        }
    }

    public void Dispose()
    {
        PageExtMemoryPool[] pools;
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            pools = [.. _pools];
        }

        foreach (var pool in pools)
        {
            pool.Dispose();
        }

        Machine.Dispose();
    }

    private void OnCorruption(PageCorruptionReport report)
    {
        PoolLog.Corruption(_logger, report.Text);
        Corruption?.Invoke(report);
    }
}
