using PageExt.Physical;
using PageExt.Workloads;

namespace PageExt.Cli.Workloads;

/// <summary>Replays a parsed workload file on a machine, each operation from its named call site.</summary>
internal static class WorkloadRunner
{
    /// <returns>Allocations made, allocations that failed, frees made, frees skipped (their allocation had failed).</returns>
    public static (int Allocated, int Failed, int Freed, int Skipped) Run(Machine machine, IReadOnlyList<WorkloadOp> ops, TextWriter warnings)
    {
        var sites = new CallSites(
            ops.Where(o => o.Kind == WorkloadOpKind.Alloc).Select(o => o.Site),
            ops.Where(o => o.Kind == WorkloadOpKind.Free).Select(o => o.Site));
        var live = new Dictionary<string, (Pfn Pfn, int Order)>(StringComparer.Ordinal);
        int allocated = 0, failed = 0, freed = 0, skipped = 0;
        foreach (var op in ops)
        {
            if (op.Kind == WorkloadOpKind.Alloc)
            {
                if (sites.Alloc(op.Site)(machine, op.Gfp, op.Order, out var pfn))
                {
                    live[op.Id] = (pfn, op.Order);
                    allocated++;
                }
                else
                {
                    warnings.WriteLine($"line {op.Line}: allocation of '{op.Id}' (order {op.Order}) failed; its free will be skipped");
                    failed++;
                }
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
        }

        return (allocated, failed, freed, skipped);
    }
}
