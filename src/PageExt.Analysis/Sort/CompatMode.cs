namespace PageExt.Analysis.Sort;

/// <summary>Which generation of page_owner_sort to reproduce.</summary>
internal enum CompatMode
{
    /// <summary>v6.7 and later (ts digits stripped, one letter option at most), with --sort honoured.</summary>
    Modern,

    /// <summary>The 5.18-6.6 tool: free_ts, -f, -r, letters set the sort as they are read.</summary>
    V6_6,

    /// <summary>The 3.19 original: no options, "N times:" blocks that keep their PFN lines.</summary>
    Y2014,
}
