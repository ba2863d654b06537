namespace PageExt.Analysis.Pictures;

/// <summary>
/// One frame of the flame graph: a function reached by a path of callers, with the pages and
/// records of every stack through it (and, in a diff, the old dump's).
/// </summary>
internal sealed class FlameNode(string name)
{
    public string Name { get; } = name;

    public long Pages { get; set; }

    public long Records { get; set; }

    public long OldPages { get; set; }

    public long OldRecords { get; set; }

    public Dictionary<string, FlameNode> Children { get; } = new(StringComparer.Ordinal);

    /// <summary>What keeps a frame in a pruned graph: its size in either dump.</summary>
    public long Weight => Math.Max(Pages, OldPages);

    public FlameNode Child(string name)
    {
        if (!Children.TryGetValue(name, out var child))
        {
            child = new FlameNode(name);
            Children.Add(name, child);
        }

        return child;
    }
}
