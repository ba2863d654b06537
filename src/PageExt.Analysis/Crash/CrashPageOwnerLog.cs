namespace PageExt.Analysis.Crash;

/// <summary>
/// What a crash session's `pageowner` commands (quic/crash-plugins, reading page_owner out of a
/// vmcore) printed: the per-page ALLOC and FREE records of `-a`/`-f`/`-n`/`-p`/`-P`, and the
/// per-stack totals of `-t`.
/// </summary>
internal sealed class CrashPageOwnerLog
{
    public List<CrashPageRecord> Pages { get; } = [];

    public List<CrashStackTotal> Stacks { get; } = [];

    public IEnumerable<CrashPageRecord> Allocations => Pages.Where(p => !p.IsFree);
}

/// <summary>
/// One page_owner of one page (or compound block), as the plugin printed it from the page's
/// struct page_owner: an ALLOC record carries its handle's stack, pid, comm and ts_nsec; a FREE
/// record its free_handle's stack and free_ts_nsec: the page's last free, as page_owner keeps it.
/// </summary>
/// <param name="Pid">The pid the plugin printed: page_owner's pid for an ALLOC record; for a FREE record, the free_pid where the plugin prints it.</param>
/// <param name="Comm">The task name, or null where the plugin's format has none (its first format).</param>
internal sealed record CrashPageRecord(long Line, bool IsFree, ulong Pfn, int Order, long Pid, string? Comm, long TimestampNs, IReadOnlyList<string> Frames);

/// <summary>`pageowner -t`'s entry: one stack, how many allocations hold it and their memory, and its largest holders.</summary>
internal sealed record CrashStackTotal(long Line, long Times, long Bytes, IReadOnlyList<string> Frames, IReadOnlyList<CrashPidTotal> Pids);

/// <summary>One row of a `-t` entry's PID table (the plugin prints the 20 biggest).</summary>
internal sealed record CrashPidTotal(long Pid, string Comm, long Times, long Bytes);
