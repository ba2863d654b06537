using PageExt.Buddy;

namespace PageExt.Workloads;

/// <summary>
/// The built-in workload: a deterministic imitation of a busy kernel's page traffic, written as
/// workload operations so it can be replayed, recorded and edited. Page cache fills memory with
/// movable order-0 pages, slab caches grow by unmovable and reclaimable orders 0-3, transparent
/// huge pages take movable order-9 compound blocks, and a network driver refills atomic order-2
/// buffers; a share of everything is freed again in random order while memory stays about 99%
/// full, so unmovable allocations end up borrowing pageblocks and blocks become mixed. Each kind has its own call site name, which
/// becomes a frame of page_owner's stacks.
/// </summary>
public static class DemoWorkload
{
    public const int DefaultSeed = 20141128;

    public const int DefaultSteps = 400000;

    private static readonly (int Weight, string Site, GfpFlags Gfp, int MinOrder, int MaxOrder)[] s_kinds =
    [
        (70, "page_cache_ra_order", GfpFlags.HighUserMovable | GfpFlags.NoWarn, 0, 0),
        (15, "kmem_cache_grow", GfpFlags.Kernel | GfpFlags.Comp | GfpFlags.NoWarn, 0, 3),
        (8, "kmem_cache_grow_reclaimable", GfpFlags.Kernel | GfpFlags.Reclaimable | GfpFlags.Comp | GfpFlags.NoWarn, 0, 1),
        (6, "netdev_rx_refill", GfpFlags.Atomic | GfpFlags.Comp | GfpFlags.NoWarn, 2, 2),
        (1, "do_huge_pmd_anonymous_page", GfpFlags.TransHugeLight, 9, 9),
    ];

    /// <summary>
    /// <paramref name="steps"/> operations that keep about 99% of <paramref name="managedPages"/>
    /// allocated, the same for the same arguments.
    /// </summary>
    public static IReadOnlyList<WorkloadOp> Generate(long managedPages, int seed = DefaultSeed, int steps = DefaultSteps)
    {
        var random = new Random(seed);
        var ops = new List<WorkloadOp>(steps);
        var live = new List<(string Id, int Order, string Site)>();
        long livePages = 0, target = managedPages * 99 / 100;
        int next = 0;
        for (int step = 0; step < steps; step++)
        {
            if (live.Count > 0 && (livePages > target || random.Next(100) < 35))
            {
                int i = random.Next(live.Count);
                var (id, order, site) = live[i];
                live[i] = live[^1];
                live.RemoveAt(live.Count - 1);
                livePages -= 1L << order;
                ops.Add(new WorkloadOp(ops.Count + 1, WorkloadOpKind.Free, id, order, 0, FreeSite(site)));
                continue;
            }

            int dice = random.Next(100);
            var kind = s_kinds[^1];
            foreach (var candidate in s_kinds)
            {
                if (dice < candidate.Weight)
                {
                    kind = candidate;
                    break;
                }

                dice -= candidate.Weight;
            }

            int chosen = random.Next(kind.MinOrder, kind.MaxOrder + 1);
            string name = "b" + next++;
            live.Add((name, chosen, kind.Site));
            livePages += 1L << chosen;
            ops.Add(new WorkloadOp(ops.Count + 1, WorkloadOpKind.Alloc, name, chosen, kind.Gfp, kind.Site));
        }

        return ops;
    }

    private static string FreeSite(string allocSite) => allocSite switch
    {
        "page_cache_ra_order" => "folio_put",
        "do_huge_pmd_anonymous_page" => "free_transhuge_page",
        "netdev_rx_refill" => "skb_free_head",
        _ => "kmem_cache_shrink",
    };
}
