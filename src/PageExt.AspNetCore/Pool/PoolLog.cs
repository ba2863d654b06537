using Microsoft.Extensions.Logging;

namespace PageExt.AspNetCore;

/// <summary>The pool's and the machine's reports as log messages (source-generated, no boxing).</summary>
internal static partial class PoolLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Error, Message = "{Report}")]
    public static partial void DoubleReturn(ILogger logger, string report);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "{Report}")]
    public static partial void Leak(ILogger logger, string report);

    [LoggerMessage(EventId = 3, Level = LogLevel.Error, Message = "{Report}")]
    public static partial void Corruption(ILogger logger, string report);

    [LoggerMessage(EventId = 4, Level = LogLevel.Error, Message = "BUG: Bad page state: {Report}")]
    public static partial void BadPage(ILogger logger, string report);

    [LoggerMessage(EventId = 5, Level = LogLevel.Information, Message = "PageExt machine booted for the memory pool: {MemoryMiB} MiB, command line \"{CommandLine}\"")]
    public static partial void Booted(ILogger logger, long memoryMiB, string commandLine);
}
