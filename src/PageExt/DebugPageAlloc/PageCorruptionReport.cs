using PageExt.Physical;

namespace PageExt.DebugPageAlloc;

/// <summary>
/// One poisoned page found changed when it was allocated again (check_poison_mem). Raised for every
/// corruption, counted, and printed unless the kernel's rate limit (10 per 5 s) held it back; the
/// page is handed out anyway, as in the kernel.
/// </summary>
/// <param name="Pfn">The corrupted page.</param>
/// <param name="FirstOffset">Byte offset in the page of the first byte that is not 0xaa.</param>
/// <param name="LastOffset">Byte offset of the last byte that is not 0xaa (inclusive).</param>
/// <param name="SingleBitError">The corruption is one byte with one flipped bit ("pagealloc: single bit error").</param>
/// <param name="Printed">The report went to the machine log (false: rate limited).</param>
/// <param name="Text">The report as printed, or as it would have been printed.</param>
public sealed record PageCorruptionReport(Pfn Pfn, int FirstOffset, int LastOffset, bool SingleBitError, bool Printed, string Text)
{
    public override string ToString() =>
        $"pfn {Pfn}: {(SingleBitError ? "single bit error" : "memory corruption")} at offsets 0x{FirstOffset:x}..0x{LastOffset:x}";
}
