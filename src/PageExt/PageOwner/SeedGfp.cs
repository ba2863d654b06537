using PageExt.Buddy;

namespace PageExt.PageOwner;

/// <summary>
/// The gfp bit layout of 3.19, for dumps in the seed's format: the same request printed as the
/// kernel of that time would (GFP_KERNEL was 0xd0, GFP_HIGHUSER_MOVABLE 0x200da).
/// </summary>
internal static class SeedGfp
{
    private static readonly (GfpFlags Modern, uint Seed)[] s_bits =
    [
        (GfpFlags.Dma, 0x1), (GfpFlags.HighMem, 0x2), (GfpFlags.Dma32, 0x4), (GfpFlags.Movable, 0x8),
        (GfpFlags.DirectReclaim, 0x10), (GfpFlags.High, 0x20), (GfpFlags.Io, 0x40), (GfpFlags.Fs, 0x80),
        (GfpFlags.NoWarn, 0x200), (GfpFlags.RetryMayFail, 0x400), (GfpFlags.NoFail, 0x800), (GfpFlags.NoRetry, 0x1000),
        (GfpFlags.MemAlloc, 0x2000), (GfpFlags.Comp, 0x4000), (GfpFlags.Zero, 0x8000), (GfpFlags.NoMemAlloc, 0x10000),
        (GfpFlags.HardWall, 0x20000), (GfpFlags.ThisNode, 0x40000), (GfpFlags.Reclaimable, 0x80000), (GfpFlags.Write, 0x1000000),
    ];

    /// <summary>__GFP_KSWAPD_RECLAIM and __GFP_ACCOUNT had no 3.19 bit (kswapd was woken unless asked not to).</summary>
    public static uint FromModern(GfpFlags gfp)
    {
        uint seed = 0;
        foreach (var (modern, bit) in s_bits)
        {
            if ((gfp & modern) != 0)
            {
                seed |= bit;
            }
        }

        return seed;
    }
}
