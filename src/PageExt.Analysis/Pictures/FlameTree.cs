using PageExt.Analysis.Reports;
using PageExt.Analysis.Sort;

namespace PageExt.Analysis.Pictures;

/// <summary>
/// Builds the flame graph from the per-stack totals: outermost frame at the top, as the folded
/// format (and flamegraph.pl) orders them, function names without offsets so that rebuilt kernels
/// still fold together, and the seed's 0xffffffffffffffff end marker dropped.
/// </summary>
internal static class FlameTree
{
    /// <summary>The graph keeps at most this many frames; the smallest go first and their pages stay in their parent.</summary>
    public const int MaxNodes = 20_000;

    public const string RootName = "all";

    public const string NoStack = "[no stack]";

    public static FlameNode Build(PictureTotals current, PictureTotals? old)
    {
        ArgumentNullException.ThrowIfNull(current);
        var root = new FlameNode(RootName);
        Add(root, current.Stacks, isOld: false);
        if (old is not null)
        {
            Add(root, old.Stacks, isOld: true);
        }

        Prune(root, MaxNodes);
        return root;
    }

    /// <summary>Functions of a stack key (frame lines), outermost first.</summary>
    public static List<string> Functions(ReadOnlySpan<byte> frames)
    {
        var names = new List<string>();
        foreach (var frame in RecordDetails.Decode(frames).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            string trimmed = frame.Trim();
            if (trimmed.EndsWith("0xffffffffffffffff", StringComparison.Ordinal))
            {
                continue;
            }

            names.Add(RecordDetails.FunctionOf(trimmed));
        }

        names.Reverse();
        return names;
    }

    private static void Add(FlameNode root, GroupTable stacks, bool isOld)
    {
        foreach (ref var group in stacks.Groups)
        {
            var names = Functions(stacks.Arena.Get(group.Key));
            if (names.Count == 0)
            {
                names.Add(NoStack);
            }

            var node = root;
            Count(node, group.Pages, group.Count, isOld);
            foreach (string name in names)
            {
                node = node.Child(name);
                Count(node, group.Pages, group.Count, isOld);
            }
        }
    }

    private static void Count(FlameNode node, long pages, long records, bool isOld)
    {
        if (isOld)
        {
            node.OldPages += pages;
            node.OldRecords += records;
        }
        else
        {
            node.Pages += pages;
            node.Records += records;
        }
    }

    /// <summary>Keeps the <paramref name="maxNodes"/> heaviest frames. A child never outweighs its parent, so the kept set stays a tree.</summary>
    private static void Prune(FlameNode root, int maxNodes)
    {
        var weights = new List<long>();
        Collect(root, weights);
        if (weights.Count <= maxNodes)
        {
            return;
        }

        weights.Sort();
        long threshold = weights[^maxNodes] + 1;
        Cut(root, threshold);
    }

    private static void Collect(FlameNode node, List<long> weights)
    {
        foreach (var child in node.Children.Values)
        {
            weights.Add(child.Weight);
            Collect(child, weights);
        }
    }

    private static void Cut(FlameNode node, long threshold)
    {
        foreach (var (name, child) in node.Children.ToList())
        {
            if (child.Weight < threshold)
            {
                node.Children.Remove(name);
            }
            else
            {
                Cut(child, threshold);
            }
        }
    }
}
