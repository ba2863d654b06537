namespace PageExt.Analysis.Sort;

/// <summary>Everything `pageext sort` was asked to do, after option parsing.</summary>
internal sealed class SortOptions
{
    public CompatMode Compat { get; set; } = CompatMode.Modern;

    public OutputFormat Format { get; set; } = OutputFormat.Text;

    public CullKeys Cull { get; set; }

    /// <summary>The sort condition, first key first; never empty after parsing.</summary>
    public IReadOnlyList<SortTerm> Sort { get; set; } = [new SortTerm(SortKey.Times, Descending: true)];

    public IReadOnlyList<int>? Pids { get; set; }

    public IReadOnlyList<int>? Tgids { get; set; }

    /// <summary>Comm names as bytes: page_owner_sort compares them with strcmp.</summary>
    public IReadOnlyList<byte[]>? Comms { get; set; }

    /// <summary>5.18-6.6 -f: drop records freed after their allocation.</summary>
    public bool OnlyUnreleased { get; set; }

    /// <summary>-d: report every diagnostic, not only the first few of each kind.</summary>
    public bool Debug { get; set; }

    /// <summary>Memory for groups before they are spilled to sorted temporary runs (--memory-budget).</summary>
    public long MemoryBudgetBytes { get; set; } = DefaultMemoryBudgetBytes;

    /// <summary>Where spilled runs go; null for the system's temporary folder.</summary>
    public string? SpillDirectory { get; set; }

    public const long DefaultMemoryBudgetBytes = 32L << 20;

    public string Input { get; set; } = "-";

    public string Output { get; set; } = "-";

    /// <summary>page_owner_sort keeps the ts digits in the text only when the first sort key is the timestamp.</summary>
    public bool StripTimestamp => Compat == CompatMode.Modern && Sort[0].Key != SortKey.AllocTimestamp;

    public bool FilterPid => Pids is not null;

    public bool FilterTgid => Tgids is not null;

    public bool FilterComm => Comms is not null;
}
