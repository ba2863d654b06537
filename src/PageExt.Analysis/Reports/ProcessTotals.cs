using PageExt.Analysis.Sort;

namespace PageExt.Analysis.Reports;

/// <summary>What a thread's records say about its process.</summary>
[Flags]
internal enum ThreadFlags : byte
{
    /// <summary>The record has no tgid (older dumps): the id is its pid, or -1 without one.</summary>
    None = 0,

    /// <summary>The id is the record's tgid.</summary>
    IdIsTgid = 1,

    /// <summary>pid == tgid: the record was allocated by the thread-group leader.</summary>
    Leader = 2,
}

/// <summary>
/// One process of a dump: a thread group (records with a tgid), a pid (records without one, as in
/// older dumps), or the records that carry neither (v4.4-v5.10), with its name and sums.
/// </summary>
/// <remarks>
/// page_owner records the comm of the allocating thread, so one process shows under every thread
/// name that allocated ("java", "C2 CompilerThre", ...). A process is named by its thread-group
/// leader, the thread whose pid is the tgid, when the dump holds a record of the leader. Otherwise,
/// and for records without a tgid, it is named by the thread name with the most pages, then the most
/// records, then the first in ordinal order: the same dump always gives the same name. Records
/// without a comm (from v5.11 until the comm was added, only a pid) name nothing, and such a process
/// is known by its id.
/// </remarks>
internal sealed record ProcessTotals(int Id, bool IdIsTgid, string? Comm, bool NamedByLeader, long Records, long Pages)
{
    /// <summary>What matches this process in another dump of the same boot: its tgid or pid.</summary>
    public string PidKey => Id < 0 ? "?" : IdIsTgid ? $"tgid {Id}" : $"pid {Id}";

    /// <summary>What matches this process in a dump of another boot: its comm, or its id without one.</summary>
    public string Name => Comm ?? PidKey;

    /// <summary>"1778 java", "pid 42", or "?"; a name not taken from the leader says so.</summary>
    public string Label =>
        (Id < 0 ? "? (no pid in the records)" : IdIsTgid ? Id.ToString(System.Globalization.CultureInfo.InvariantCulture) : PidKey)
        + (Comm is null ? string.Empty : " " + Comm)
        + (Comm is not null && IdIsTgid && !NamedByLeader ? " (a thread's name: the leader has no record)" : string.Empty);

    public static IReadOnlyList<ProcessTotals> Fold(GroupTable threads)
    {
        var groups = new Dictionary<(int Id, bool IdIsTgid), List<(string Comm, bool Leader, long Records, long Pages)>>();
        foreach (ref var thread in threads.Groups)
        {
            var (id, flags, comm) = DumpTotals.ThreadKey.Read(threads.Arena.Get(thread.Key));
            var key = (id, (flags & ThreadFlags.IdIsTgid) != 0);
            if (!groups.TryGetValue(key, out var list))
            {
                groups[key] = list = [];
            }

            list.Add((comm, (flags & ThreadFlags.Leader) != 0, thread.Count, thread.Pages));
        }

        var processes = new List<ProcessTotals>(groups.Count);
        foreach (var ((id, idIsTgid), list) in groups)
        {
            string? leader = Best(list.Where(t => t.Leader && t.Comm.Length > 0));
            processes.Add(new ProcessTotals(
                id,
                idIsTgid,
                leader ?? Best(list.Where(t => t.Comm.Length > 0)),
                leader is not null,
                list.Sum(t => t.Records),
                list.Sum(t => t.Pages)));
        }

        return processes;
    }

    /// <summary>The comm with the most pages, then records, then the first in ordinal order.</summary>
    private static string? Best(IEnumerable<(string Comm, bool Leader, long Records, long Pages)> threads) =>
        threads
            .GroupBy(t => t.Comm, StringComparer.Ordinal)
            .Select(g => (Comm: g.Key, Pages: g.Sum(t => t.Pages), Records: g.Sum(t => t.Records)))
            .OrderByDescending(c => c.Pages)
            .ThenByDescending(c => c.Records)
            .ThenBy(c => c.Comm, StringComparer.Ordinal)
            .Select(c => c.Comm)
            .FirstOrDefault();
}
