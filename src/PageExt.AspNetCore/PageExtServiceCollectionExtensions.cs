using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;
using PageExt.AspNetCore;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registration of the PageExt memory pool, where ASP.NET Core's own extensions live.</summary>
public static class PageExtServiceCollectionExtensions
{
    /// <summary>
    /// Serve Kestrel's socket buffers from PageExt pages, the machine booted with
    /// <paramref name="commandLine"/> (for example <c>"page_owner=on page_poison=1"</c>). The
    /// command line is checked now: a bad or unknown parameter throws
    /// <see cref="PageExt.Boot.BootParameterException"/> naming it, before the host is built.
    /// </summary>
    public static IServiceCollection AddPageExtMemoryPool(this IServiceCollection services, string commandLine = "", Action<PageExtMemoryPoolOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = new PageExtMemoryPoolOptions { CommandLine = commandLine ?? "" };
        configure?.Invoke(options);
        PageExtMemoryPoolFactory.Validate(options);

        services.AddSingleton(provider => new PageExtMemoryPoolFactory(options, provider.GetService<ILoggerFactory>()));

        // Registered after the transport's TryAddSingleton of its default factory, so it is the one resolved.
        services.AddSingleton<IMemoryPoolFactory<byte>>(provider => provider.GetRequiredService<PageExtMemoryPoolFactory>());
        return services;
    }
}
