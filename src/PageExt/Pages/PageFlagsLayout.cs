namespace PageExt.Pages;

/// <summary>
/// Where the node and zone numbers sit in the page flags word (NODES_PGSHIFT, ZONES_PGSHIFT), so
/// that a printed flags value carries them the way the kernel's does.
/// </summary>
public static class PageFlagsLayout
{
    public const int ZonesPgShift = 62;
    public const int ZonesWidth = 2;
    public const int NodesPgShift = 52;
    public const int NodesWidth = 10;

    /// <summary>The bits that are page flags proper.</summary>
    public const ulong FlagsMask = (1UL << NodesPgShift) - 1;

    public static ulong Pack(int node, int zone) =>
        ((ulong)(uint)node << NodesPgShift) | ((ulong)(uint)zone << ZonesPgShift);

    public static int Node(ulong flags) => (int)((flags >> NodesPgShift) & ((1UL << NodesWidth) - 1));

    public static int Zone(ulong flags) => (int)((flags >> ZonesPgShift) & ((1UL << ZonesWidth) - 1));
}
