using System.Runtime.CompilerServices;
using PageExt.Physical;

namespace PageExt.Buddy;

public sealed unsafe partial class PageAllocator
{
    /// <summary>
    /// release_pages() / free_unref_folios(): give back a batch of blocks, each freed with the order
    /// it was allocated with, as a folio knows its own; what the kernel does with the pages of an
    /// unmapped range or of a page cache shrink. Each block is checked and prepared as
    /// <see cref="FreePages"/> prepares it, then parked on this thread's per-CPU list (kmem's
    /// mm_page_free_batched) or, above the per-CPU orders or in an isolated pageblock, merged into
    /// the buddy lists. A bad block is reported and passed over; the rest of the batch is freed.
    /// </summary>
    public void ReleasePages(ReadOnlySpan<Pfn> blocks)
    {
        using var operation = EnterOperation();
        foreach (var block in blocks)
        {
            ulong pfn = block.Value;
            if (!IsOnline(pfn))
            {
                ReportBadFreeArguments(pfn, 0);
                continue;
            }

            FreeCheckedBlock((uint)pfn, (_vmemmap + pfn)->AllocOrder, batched: true);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void FreeBatchedHookSlow(AllocatorHookTable hooks, uint pfn)
    {
        foreach (var hook in hooks.FreeBatched)
        {
            hook.OnFreeBatched(new Pfn(pfn));
        }
    }
}
