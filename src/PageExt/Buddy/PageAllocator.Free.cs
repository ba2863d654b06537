using System.Runtime.CompilerServices;
using PageExt.Pages;
using PageExt.Physical;
using PageExt.Zones;

namespace PageExt.Buddy;

public sealed unsafe partial class PageAllocator
{
    /// <summary>
    /// __free_pages(): check the page, run the clients, then cache it per CPU or merge it into the
    /// buddy lists. As with allocation, only the common case (a plain small block, no clients) is
    /// inlined into callers, and it runs whole inside this thread's cache window, checks included,
    /// so that shutdown cannot unmap the descriptor under it; everything else leaves the window and
    /// goes to <see cref="FreePagesOutsideWindow"/>. Clients and drains are one compare
    /// (<see cref="ThreadPageCache.PageSet.FastPathBlocked"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void FreePagesCore(ulong pfn, int order)
    {
        var set = CurrentPageSet();
        Volatile.Write(ref set->InUse, 1);
        if (Volatile.Read(ref set->FastPathBlocked) != 0 || !IsOnline(pfn) || (uint)order > PageOrder.Costly)
        {
            Volatile.Write(ref set->InUse, 0);
            FreePagesOutsideWindow(pfn, order);
            return;
        }

        Page* page = _vmemmap + pfn;
        if (!FreePageLooksAllocated(page, order) || (page->Flags & (ulong)PageFlags.Head) != 0)
        {
            Volatile.Write(ref set->InUse, 0);
            FreePagesOutsideWindow(pfn, order);
            return;
        }

        var blockType = BlockType(pfn);
        if (blockType >= MigrateType.HighAtomic)
        {
            if (blockType == MigrateType.Isolate)
            {
                Volatile.Write(ref set->InUse, 0);
                FreePagesOutsideWindow(pfn, order);
                return;
            }

            // CMA and high-atomic pages ride on the movable list; the batch return re-reads the block type.
            blockType = MigrateType.Movable;
        }

        // An allocated page carries its node and zone in its flags, as struct page does.
        CountFree(set, order);
        PushPcp(set, ZoneIndex(page->Flags), (uint)pfn, order, blockType);
    }

    /// <summary>Every free the fast path does not finish: bad frees, clients, compound and large blocks, a drained cache.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void FreePagesOutsideWindow(ulong pfn, int order)
    {
        using var operation = EnterOperation();
        if (!IsOnline(pfn) || (uint)order > PageOrder.Max)
        {
            ReportBadFreeArguments(pfn, order);
            return;
        }

        FreeCheckedBlock((uint)pfn, order, batched: false);
    }

    /// <summary>
    /// free_page_is_bad(), then the rest of __free_pages() for an online block of a valid order:
    /// clients, compound tails, and blocks too large to cache. A batched free (release_pages) also
    /// tells the mm_page_free_batched clients about each block a per-CPU list takes. Caller is inside
    /// an operation.
    /// </summary>
    private void FreeCheckedBlock(uint pfn, int order, bool batched)
    {
        Page* page = _vmemmap + pfn;
        if (!FreePageLooksAllocated(page, order))
        {
            ReportBadFree(pfn, page, order);
            return;
        }

        int zoneIndex = ZoneIndex(page->Flags);
        CountFree(CurrentPageSet(), order);
        FreePagesPrepare(pfn, page, order);
        if (order > PageOrder.Costly)
        {
            FreeOnePageUnderLock(_zones[zoneIndex], pfn, order);
            return;
        }

        if (batched && AllocatorHookTable.Supported && _hooks is { FreeBatched.Length: > 0 } hooks && BlockType(pfn) != MigrateType.Isolate)
        {
            FreeBatchedHookSlow(hooks, pfn);
        }

        FreeUnrefPage(zoneIndex, pfn, order);
    }

    /// <summary>What every freed block's head loses, whichever list it goes to next.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ClearAllocationMarks(Page* page)
    {
        page->RefCount = 0;
        page->State = (byte)PageState.EverAllocated;
        page->Flags &= ~PageFlagsLayout.FlagsMask;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int ZoneIndex(ulong flags) => (PageFlagsLayout.Node(flags) * ZoneTypes.Count) + PageFlagsLayout.Zone(flags);

    /// <summary>
    /// The common case of free_page_is_bad(): an allocated head freed with its own order. Not a
    /// tail, type None, the order it was allocated with and allocated state are one 64-bit compare
    /// (the head link and the four bookkeeping bytes are adjacent; the migrate type is ignored).
    /// A reserved page never passes: reserved pages are never handed out, so never in use.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool FreePageLooksAllocated(Page* page, int order)
    {
        const ulong ignoreMigrateType = ~(0xFFUL << 48);
        ulong expected = (ulong)Page.PackBookkeeping(PageType.None, order, 0, PageState.InUse | PageState.EverAllocated) << 32;
        return (*(ulong*)&page->HeadPfnPlusOne & ignoreMigrateType) == expected;
    }

    /// <summary>free_pages_prepare(): clients first (owner, poison, unmap), then clear the block's allocation marks.</summary>
    private void FreePagesPrepare(uint pfn, Page* page, int order)
    {
        if (AllocatorHookTable.Supported && _hooks is not null)
        {
            FreePrepareHookSlow(pfn, order);
        }

        bool compound = (page->Flags & (ulong)PageFlags.Head) != 0;
        ClearAllocationMarks(page);
        if (compound)
        {
            uint count = 1u << order;
            for (uint i = 1; i < count; i++)
            {
                Page* tail = page + i;
                tail->HeadPfnPlusOne = 0;
                tail->State = (byte)PageState.EverAllocated;
                tail->Flags = 0;
            }
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void FreePrepareHookSlow(uint pfn, int order)
    {
        var p = new Pfn(pfn);
        foreach (var hook in _hooks!.Free)
        {
            hook.OnFree(p, order);
        }
    }

    /// <summary>
    /// __free_one_page(): merge the block with its buddy for as long as the buddy is a free block
    /// (or guard block) of the same order, then put the result on its type's list.
    /// </summary>
    internal void FreeOnePageLocked(Zone zone, uint pfn, int order, MigrateType type)
    {
        while (order < PageOrder.Max)
        {
            uint buddyPfn = pfn ^ (1u << order);
            Page* buddy = _vmemmap + buddyPfn;
            bool isGuard = buddy->Type == (byte)PageType.Guard;
            if ((buddy->Type != (byte)PageType.Buddy && !isGuard) || buddy->Private != (uint)order)
            {
                break;
            }

            if (!_memory.IsOnline(buddyPfn) || _memory.PageblockZone(buddyPfn) != zone.Index)
            {
                break;
            }

            var buddyType = _memory.PageblockType(buddyPfn);
            if (order >= Pageblock.Order && buddyType != type && (!IsMergeable(type) || !IsMergeable(buddyType)))
            {
                break;
            }

            if (isGuard)
            {
                ClearPageGuardLocked(zone, buddyPfn, order);
            }
            else
            {
                zone.DelFromFreeListLocked(buddyPfn, order, buddyType);
            }

            // Free-list hygiene: a merged block larger than a pageblock carries one type throughout.
            if (order >= Pageblock.Order && buddyType != type)
            {
                for (uint p = buddyPfn; p < buddyPfn + (1u << order); p += Pageblock.Pages)
                {
                    _memory.SetPageblockType(p, type);
                }
            }

            pfn &= buddyPfn;
            order++;
        }

        zone.AddToFreeListLocked(pfn, order, type);
    }

    /// <summary>migratetype_is_mergeable(): only the mobility types merge across pageblocks of different types.</summary>
    private static bool IsMergeable(MigrateType type) => type < MigrateType.HighAtomic;
}
