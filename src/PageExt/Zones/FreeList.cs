namespace PageExt.Zones;

/// <summary>
/// One free list: the heads of free blocks of one order and one migrate type, doubly linked
/// through <see cref="Pages.Page.Next"/>/<see cref="Pages.Page.Prev"/> by PFN. Changed only under
/// the zone lock.
/// </summary>
internal struct FreeList
{
    /// <summary>PFN of the first block, <see cref="Pages.Page.NoPfn"/> when empty.</summary>
    public uint Head;

    /// <summary>Blocks on the list (not pages).</summary>
    public long Count;
}
