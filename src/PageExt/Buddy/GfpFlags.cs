namespace PageExt.Buddy;

/// <summary>
/// Get-free-pages flags: how an allocation may behave and where it may come from. Bit values are
/// the modern kernel's (include/linux/gfp_types.h, v6.8+ enum layout without the configuration
/// dependent bits), so masks print and decode exactly as a current kernel's dump shows them.
/// Single bits carry the kernel's <c>__GFP_</c> names without the prefix; composites carry the
/// <c>GFP_</c> names (<see cref="Kernel"/> is GFP_KERNEL, <see cref="Movable"/> is __GFP_MOVABLE).
/// </summary>
[Flags]
public enum GfpFlags : uint
{
    None = 0,

    // Zone modifiers: which zones the allocation may use (gfp_zone()).
    Dma = 0x1,
    HighMem = 0x2,
    Dma32 = 0x4,

    // Mobility: which migrate type's free lists serve the allocation (gfp_migratetype()).
    Movable = 0x8,
    Reclaimable = 0x10,

    // Watermark and reclaim modifiers.
    High = 0x20,
    Io = 0x40,
    Fs = 0x80,
    Zero = 0x100,
    DirectReclaim = 0x400,
    KswapdReclaim = 0x800,
    Write = 0x1000,
    NoWarn = 0x2000,
    RetryMayFail = 0x4000,
    NoFail = 0x8000,
    NoRetry = 0x10000,
    MemAlloc = 0x20000,
    Comp = 0x40000,
    NoMemAlloc = 0x80000,
    HardWall = 0x100000,
    ThisNode = 0x200000,
    Account = 0x400000,
    ZeroTags = 0x800000,

    // Composites (include/linux/gfp_types.h).
    Reclaim = DirectReclaim | KswapdReclaim,
    Atomic = High | KswapdReclaim,
    Kernel = Reclaim | Io | Fs,
    KernelAccount = Kernel | Account,
    NoWait = KswapdReclaim | NoWarn,
    NoIo = Reclaim,
    NoFs = Reclaim | Io,
    User = Kernel | HardWall,
    HighUser = User | HighMem,
    HighUserMovable = HighUser | Movable,
    TransHugeLight = (HighUserMovable | Comp | NoMemAlloc | NoWarn) & ~Reclaim,
    TransHuge = TransHugeLight | DirectReclaim,
}
