using System.Runtime.InteropServices;
using PageExt.Physical;
using PageExt.Workloads;

namespace PageExt.Cli.Workloads;

/// <summary>
/// Replays a stream of workload operations on a machine, each from its named call site. The stream
/// is taken a window at a time: the window's new sites are emitted, then its operations run, so
/// memory holds one window plus the blocks still allocated, however long the workload.
/// </summary>
internal static class WorkloadRunner
{
    public const int WindowOps = 1 << 14;

    public readonly record struct Counts(long Operations, long Allocated, long Failed, long Freed, long Skipped);

    /// <param name="failedAllocation">Told of each allocation that failed (null: only counted, as for the built-in workload, which fails by design once memory is full).</param>
    /// <param name="replayed">Told of each operation once it has run (to record the run).</param>
    /// <param name="progress">Told of the operations done so far, once a window.</param>
    public static Counts Run(Machine machine, IEnumerable<WorkloadOp> ops, Action<WorkloadOp>? failedAllocation = null, Action<WorkloadOp>? replayed = null, Action<long>? progress = null)
    {
        var sites = new CallSites();
        var live = new Dictionary<string, (Pfn Pfn, int Order)>(StringComparer.Ordinal);
        var window = new List<WorkloadOp>(WindowOps);
        var newSites = new HashSet<(WorkloadOpKind Kind, string Site)>();
        var batch = new List<Pfn>();
        long operations = 0, allocated = 0, failed = 0, freed = 0, skipped = 0;
        using var source = ops.GetEnumerator();
        bool more = true;
        while (more)
        {
            window.Clear();
            newSites.Clear();
            while (window.Count < WindowOps && (more = source.MoveNext()))
            {
                var op = source.Current;
                window.Add(op);
                if (!sites.Has(op.Kind, op.Site))
                {
                    newSites.Add((op.Kind, op.Site));
                }
            }

            sites.Define(newSites);
            foreach (var op in window)
            {
                operations++;
                if (op.Kind == WorkloadOpKind.Alloc)
                {
                    if (sites.Alloc(op.Site)(machine, op.Gfp, op.Order, out var pfn))
                    {
                        live[op.Id] = (pfn, op.Order);
                        allocated++;
                    }
                    else
                    {
                        failed++;
                        failedAllocation?.Invoke(op);
                    }
                }
                else if (op.Kind == WorkloadOpKind.Release)
                {
                    batch.Clear();
                    foreach (string id in op.Ids)
                    {
                        if (live.Remove(id, out var member))
                        {
                            batch.Add(member.Pfn);
                        }
                        else
                        {
                            skipped++;
                        }
                    }

                    sites.Release(op.Site)(machine, CollectionsMarshal.AsSpan(batch));
                    freed += batch.Count;
                }
                else if (live.Remove(op.Id, out var block))
                {
                    sites.Free(op.Site)(machine, block.Pfn, block.Order);
                    freed++;
                }
                else
                {
                    skipped++;
                }

                replayed?.Invoke(op);
            }

            progress?.Invoke(operations);
        }

        return new Counts(operations, allocated, failed, freed, skipped);
    }
}
