using PageExt.Zones;

namespace PageExt.Buddy;

public sealed partial class PageAllocator
{
    /// <summary>
    /// memblock_free_all() / online_pages(): give a run of PFNs with no reserved page in it to the
    /// buddy allocator, in the largest naturally aligned blocks that fit. Touches only the
    /// descriptors of block heads, so a large machine boots without walking its memory map.
    /// Returns the pages freed.
    /// </summary>
    internal long FreeRangeToBuddy(Zone zone, ulong start, ulong end)
    {
        long freed = 0;
        lock (zone.Lock)
        {
            ulong pfn = start;
            while (pfn < end)
            {
                int order = PageOrder.Max;
                while (order > 0 && ((pfn & ((1UL << order) - 1)) != 0 || pfn + (1UL << order) > end))
                {
                    order--;
                }

                FreeOnePageLocked(zone, (uint)pfn, order, Memory.PageblockType(pfn));
                freed += 1L << order;
                pfn += 1UL << order;
            }
        }

        return freed;
    }
}
