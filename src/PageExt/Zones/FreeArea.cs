using System.Runtime.CompilerServices;

namespace PageExt.Zones;

/// <summary>The free lists of one order in one zone (struct free_area).</summary>
internal struct FreeArea
{
    public FreeLists Lists;

    /// <summary>nr_free: blocks of this order on all lists = sum of Lists[*].Count.</summary>
    public long NrFree;
}

[InlineArray(MigrateTypes.Count)]
internal struct FreeLists
{
    private FreeList _element;
}
