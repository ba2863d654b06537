using PageExt.Zones;

namespace PageExt.Buddy;

public static class GfpFlagsExtensions
{
    /// <summary>
    /// gfp_migratetype(): the migrate type an allocation's gfp mask asks for. Movable and
    /// Reclaimable together are invalid (the allocator rejects such a mask before it gets here).
    /// With the gfp bits, not the migrate types, as gfp.h keeps it.
    /// </summary>
    public static MigrateType MigrateType(this GfpFlags gfp) =>
        (MigrateType)(((uint)gfp & (uint)(GfpFlags.Movable | GfpFlags.Reclaimable)) >> 3);
}
