using System.Runtime.CompilerServices;
using PageExt.Pages;
using PageExt.Physical;
using PageExt.Zones;

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

            Page* page = _vmemmap + pfn;
            int order = page->AllocOrder;
            if (!FreePageLooksAllocated(page, order))
            {
                ReportBadFree((uint)pfn, page, order);
                continue;
            }

            FreeFolio(ZoneIndex(page->Flags), (uint)pfn, page, order);
        }
    }

    /// <summary>One block of <see cref="ReleasePages"/>: free_unref_folios()'s loop body. Caller is inside an operation.</summary>
    private void FreeFolio(int zoneIndex, uint pfn, Page* page, int order)
    {
        CountFree(CurrentPageSet(), order);
        FreePagesPrepare(pfn, page, order);
        if (order > PageOrder.Costly)
        {
            FreeOnePageUnderLock(_zones[zoneIndex], pfn, order);
            return;
        }

        if (AllocatorHookTable.Supported && _hooks is { FreeBatched.Length: > 0 } hooks && BlockType(pfn) != MigrateType.Isolate)
        {
            FreeBatchedHookSlow(hooks, pfn);
        }

        FreeUnrefPage(zoneIndex, pfn, order);
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
