using PageExt.Pages;
using PageExt.Zones;

namespace PageExt.Buddy;

public sealed unsafe partial class PageAllocator
{
    /// <summary>
    /// test_pages_isolated(): true when every page of [<paramref name="start"/>, <paramref name="end"/>)
    /// lies in a free block on a list or in a guard block; otherwise false, naming the first page in use.
    /// </summary>
    internal bool TestPagesIsolatedLocked(ulong start, ulong end, out string? busy)
    {
        for (var walk = WalkPfns(start, end); walk.MoveNext();)
        {
            if (walk.IsFree && walk.Type is PageType.Buddy or PageType.Guard)
            {
                continue;
            }

            busy = DescribeBusy(walk.Pfn, _vmemmap + walk.Pfn);
            return false;
        }

        busy = null;
        return true;
    }

    /// <summary>
    /// __offline_isolated_pages(): take every free block of a range that passed
    /// <see cref="TestPagesIsolatedLocked"/> off its isolated list. A guard block is cleared like
    /// any other (<see cref="ClearPageGuardLocked"/>), so its owner hears that it is gone.
    /// </summary>
    internal void OfflineIsolatedPagesLocked(Zone zone, ulong start, ulong end)
    {
        for (var walk = WalkPfns(start, end); walk.MoveNext();)
        {
            if (walk.Type == PageType.Guard)
            {
                ClearPageGuardLocked(zone, (uint)walk.Pfn, walk.FreeOrder);
            }
            else
            {
                zone.DelFromFreeListLocked((uint)walk.Pfn, walk.FreeOrder, MigrateType.Isolate);
            }
        }
    }

    private static string DescribeBusy(ulong pfn, Page* page)
    {
        string what = (PageType)page->Type switch
        {
            PageType.PerCpu => "is on a per-CPU list (freed concurrently; retry)",
            PageType.Bad => "was taken out of circulation by a bad-page report",
            _ when (page->Flags & (ulong)PageFlags.Reserved) != 0 => "is reserved",
            _ when page->HeadPfnPlusOne != 0 => $"is part of the block allocated at pfn 0x{page->HeadPfnPlusOne - 1:x}",
            _ => $"is allocated (order {page->AllocOrder})",
        };
        return $"cannot offline: pfn 0x{pfn:x} {what}";
    }
}
