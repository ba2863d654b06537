using PageExt.Log;
using PageExt.Platform;

namespace PageExt.DebugPageAlloc;

/// <summary>
/// The opt-in report of a use-after-free fault (<see cref="DebugPageAllocSettings.FaultReport"/>):
/// "BUG: unable to handle page fault for address: ..." naming the page, before the process dies.
/// <para>
/// How: .NET turns an access to a protected page into a fatal AccessViolationException that
/// carries no address, and by default no managed code runs after it. A 30-byte SIGSEGV stub,
/// chained in front of the runtime's handler, stores si_addr in a process-wide slot
/// (<see cref="VirtualMemory.TryInstallFaultAddressRecorder"/>). When the process runs with
/// DOTNET_legacyCorruptedStateExceptionsPolicy=1, the runtime raises
/// AppDomain.UnhandledException for the AccessViolationException before it aborts; the handler
/// here reads the slot, finds the machine whose arena holds the address, and prints the report to
/// stderr (the machine's log may never be read again). Without the policy the stub still records, nothing reads it,
/// and the runtime prints its own "Fatal error" as it would anyway.
/// </para>
/// <para>
/// Limits: Linux x64 only (the stub is x64 code and the struct sigaction layout is glibc's); the
/// slot is process-wide, so with faults on several threads at once the report names the last one;
/// this is unsupported territory for the runtime, hence opt-in.
/// </para>
/// <para>Concurrency model: registration takes a private lock; the handler runs once, on the dying thread.</para>
/// </summary>
internal static class FaultReporter
{
    private static readonly Lock s_lock = new();
    private static readonly List<WeakReference<DebugPageAllocFeature>> s_features = [];
    private static nint s_slot;
    private static bool s_installed;

    /// <summary>The address of the last SIGSEGV the stub saw, or 0 (also 0 when the stub is not installed).</summary>
    public static unsafe nint LastFaultAddress => s_slot == 0 ? 0 : Volatile.Read(ref *(nint*)s_slot);

    public static void Register(DebugPageAllocFeature feature, KernelLog log)
    {
        lock (s_lock)
        {
            if (!s_installed)
            {
                if (!VirtualMemory.TryInstallFaultAddressRecorder(out s_slot, out string? error))
                {
                    log.Print($"debug_pagealloc: fault report unavailable: {error}");
                    return;
                }

                s_installed = true;
                AppDomain.CurrentDomain.UnhandledException += OnUnhandledException;
            }

            s_features.RemoveAll(w => !w.TryGetTarget(out _));
            s_features.Add(new WeakReference<DebugPageAllocFeature>(feature));
            log.Print("debug_pagealloc: fault report armed (needs DOTNET_legacyCorruptedStateExceptionsPolicy=1 to print)");
        }
    }

    /// <summary>The report for the last recorded fault, if it hit a page some machine protects.</summary>
    public static bool TryDescribeLastFault(out string report)
    {
        report = string.Empty;
        nint address = LastFaultAddress;
        if (address == 0)
        {
            return false;
        }

        DebugPageAllocFeature[] features;
        lock (s_lock)
        {
            features = [.. s_features.Select(w => w.TryGetTarget(out var f) ? f : null).OfType<DebugPageAllocFeature>()];
        }

        foreach (var feature in features)
        {
            if (feature.TryDescribeFault(address, out report))
            {
                return true;
            }
        }

        return false;
    }

    private static void OnUnhandledException(object sender, UnhandledExceptionEventArgs e)
    {
        if (e.ExceptionObject is not AccessViolationException || !TryDescribeLastFault(out string report))
        {
            return;
        }

        Console.Error.WriteLine(report);
        Console.Error.Flush();
    }
}
