using System.Collections;
using PageExt.Pages;
using PageExt.Physical;
using PageExt.Zones;

namespace PageExt.Buddy;

public sealed unsafe partial class PageAllocator
{
    /// <summary>
    /// Walk every free list, every per-CPU list and every page of every zone, and return each broken
    /// invariant found (empty when the allocator is consistent):
    /// every free block is on exactly one list, of its own order and its pageblock's type, and its
    /// list links agree; counters equal what the walk counts; no two free buddies of one order are
    /// left unmerged; every managed page is free, cached, a guard page, allocated or taken out of
    /// circulation, and every tail agrees with its head; high-atomic reserves match their pageblocks.
    /// <para>
    /// Call it on a quiescent machine: no other thread inside an allocation or a free. A page
    /// between its free list and its owner (taken off a list, not yet marked allocated, as in the
    /// kernel) belongs to neither, and the walk would report it as leaked. The walk holds every
    /// per-CPU lock and zone lock so that caches cannot change under it.
    /// </para>
    /// </summary>
    public IReadOnlyList<string> CheckInvariants(int maxProblems = 50)
    {
        using var operation = EnterOperation();
        var problems = new List<string>();
        using var drain = _drainLock.EnterScope();
        var caches = FreezeCaches();
        foreach (var zone in _zones)
        {
            zone.Lock.Enter();
        }

        try
        {
            var seen = new BitArray((int)Math.Min(_maxPfn, int.MaxValue));
            foreach (var zone in _zones)
            {
                CheckZoneLists(zone, seen, problems);
            }

            CheckPcpLists(caches, seen, problems);

            foreach (var zone in _zones)
            {
                if (zone.SpannedPages != 0)
                {
                    CheckZonePages(zone, seen, problems);
                }
            }
        }
        finally
        {
            foreach (var zone in _zones)
            {
                zone.Lock.Exit();
            }

            ThawCaches(caches);
        }

        return problems.Count > maxProblems ? problems.GetRange(0, maxProblems) : problems;
    }

    private void CheckZoneLists(Zone zone, BitArray seen, List<string> problems)
    {
        long freePages = 0, cmaPages = 0;
        for (int order = 0; order <= PageOrder.Max; order++)
        {
            long areaBlocks = 0;
            for (int t = 0; t < MigrateTypes.Count; t++)
            {
                var type = (MigrateType)t;
                long count = 0;
                uint prev = Page.NoPfn;
                for (uint pfn = zone.FirstFree(order, type); pfn != Page.NoPfn; pfn = _vmemmap[pfn].Next)
                {
                    string where = $"{zone}: order-{order} {MigrateTypes.Name(type)} block at pfn 0x{pfn:x}";
                    if (!_memory.IsOnline(pfn) || _memory.PageblockZone(pfn) != zone.Index)
                    {
                        problems.Add($"{where} is not online memory of this zone");
                        break;
                    }

                    Page* page = _vmemmap + pfn;
                    if (seen[(int)pfn])
                    {
                        problems.Add($"{where} is on more than one list (or a list has a cycle)");
                        break;
                    }

                    seen[(int)pfn] = true;
                    count++;
                    if (page->Type != (byte)PageType.Buddy || page->Private != (uint)order)
                    {
                        problems.Add($"{where} is not marked Buddy of that order (type {(PageType)page->Type}, private {page->Private})");
                    }

                    if ((pfn & ((1u << order) - 1)) != 0)
                    {
                        problems.Add($"{where} is not aligned to its order");
                    }

                    if (page->Prev != prev)
                    {
                        problems.Add($"{where} has a back link to 0x{page->Prev:x}, expected 0x{prev:x}");
                    }

                    for (uint block = pfn; block < pfn + (1u << order); block += Pageblock.Pages)
                    {
                        if (_memory.PageblockType(block) != type)
                        {
                            problems.Add($"{where} lies in a {MigrateTypes.Name(_memory.PageblockType(block))} pageblock");
                            break;
                        }
                    }

                    CheckBuddyNotFree(zone, pfn, order, type, problems);
                    prev = pfn;
                }

                if (count != zone.FreeBlocks(order, type))
                {
                    problems.Add($"{zone}: order-{order} {MigrateTypes.Name(type)} list holds {count} blocks, its counter says {zone.FreeBlocks(order, type)}");
                }

                areaBlocks += count;
                freePages += count << order;
                if (type == MigrateType.Cma)
                {
                    cmaPages += count << order;
                }
            }

            if (areaBlocks != zone.FreeBlocks(order))
            {
                problems.Add($"{zone}: order-{order} nr_free is {zone.FreeBlocks(order)}, the lists hold {areaBlocks}");
            }
        }

        if (freePages != zone.FreePages)
        {
            problems.Add($"{zone}: NR_FREE_PAGES is {zone.FreePages}, the free lists hold {freePages}");
        }

        if (cmaPages != zone.FreeCmaPages)
        {
            problems.Add($"{zone}: NR_FREE_CMA_PAGES is {zone.FreeCmaPages}, the CMA lists hold {cmaPages}");
        }
    }

    private void CheckBuddyNotFree(Zone zone, uint pfn, int order, MigrateType type, List<string> problems)
    {
        if (order >= PageOrder.Max)
        {
            return;
        }

        uint buddyPfn = pfn ^ (1u << order);
        if (!_memory.IsOnline(buddyPfn) || _memory.PageblockZone(buddyPfn) != zone.Index)
        {
            return;
        }

        Page* buddy = _vmemmap + buddyPfn;
        if ((buddy->Type == (byte)PageType.Buddy || buddy->Type == (byte)PageType.Guard) && buddy->Private == (uint)order)
        {
            var buddyType = _memory.PageblockType(buddyPfn);
            bool mergeBlocked = order >= Pageblock.Order && buddyType != type && (!IsMergeable(type) || !IsMergeable(buddyType));
            if (!mergeBlocked)
            {
                problems.Add($"{zone}: free order-{order} blocks at pfn 0x{pfn:x} and its buddy 0x{buddyPfn:x} were not merged");
            }
        }
    }

    private void CheckPcpLists(ThreadPageCache[] caches, BitArray seen, List<string> problems)
    {
        for (int c = 0; c < caches.Length; c++)
        {
            for (int z = 0; z < _zones.Length; z++)
            {
                ref PerCpuPages lists = ref caches[c].Lists(z);
                long pages = 0;
                for (int list = 0; list < PerCpuPages.Lists; list++)
                {
                    int order = list / MigrateTypes.PcpTypes;
                    for (uint pfn = lists.Heads[list]; pfn != Page.NoPfn; pfn = _vmemmap[pfn].Next)
                    {
                        Page* page = _vmemmap + pfn;
                        if (!_memory.IsOnline(pfn) || seen[(int)pfn] || _memory.PageblockZone(pfn) != z)
                        {
                            problems.Add($"{_zones[z]}: cache {c} list {list} holds pfn 0x{pfn:x}, which is offline, in another zone or on another list");
                            break;
                        }

                        seen[(int)pfn] = true;
                        var listType = (MigrateType)(list % MigrateTypes.PcpTypes);
                        if (page->Type != (byte)PageType.PerCpu || page->Private != (uint)order || page->MigrateType != (byte)listType
                            || (page->State & (byte)PageState.InUse) != 0)
                        {
                            problems.Add($"{_zones[z]}: cached page 0x{pfn:x} is marked {(PageType)page->Type} order {page->Private} type {(MigrateType)page->MigrateType} state {(PageState)page->State}, expected PerCpu order {order} type {listType}, not in use");
                        }

                        pages += 1L << order;
                    }
                }

                if (pages != lists.Count)
                {
                    problems.Add($"{_zones[z]}: cache {c} count is {lists.Count}, its lists hold {pages} pages");
                }
            }
        }
    }

    private void CheckZonePages(Zone zone, BitArray seen, List<string> problems)
    {
        long free = 0, cached = 0, guard = 0, allocated = 0, bad = 0, highAtomicBlocks = 0;
        for (ulong pfn = zone.StartPfn.Value; pfn < zone.EndPfn.Value;)
        {
            if (!_memory.IsOnline(pfn) || _memory.PageblockZone(pfn) != zone.Index)
            {
                pfn = (pfn | (Pageblock.Pages - 1)) + 1;
                continue;
            }

            if ((pfn & (Pageblock.Pages - 1)) == 0 && _memory.PageblockType(pfn) == MigrateType.HighAtomic)
            {
                highAtomicBlocks++;
            }

            Page* page = _vmemmap + pfn;
            ulong step = 1;
            switch ((PageType)page->Type)
            {
                case PageType.Buddy:
                    step = 1UL << (int)page->Private;
                    free += (long)step;
                    if (!seen[(int)pfn])
                    {
                        problems.Add($"{zone}: pfn 0x{pfn:x} is marked Buddy but is on no free list");
                    }

                    break;
                case PageType.PerCpu:
                    step = 1UL << (int)page->Private;
                    cached += (long)step;
                    if (!seen[(int)pfn])
                    {
                        problems.Add($"{zone}: pfn 0x{pfn:x} is marked PerCpu but is on no per-CPU list");
                    }

                    break;
                case PageType.Guard:
                    step = 1UL << (int)page->Private;
                    guard += (long)step;
                    break;
                default:
                    if ((page->Flags & (ulong)PageFlags.Reserved) != 0)
                    {
                        break;
                    }

                    if ((page->State & (byte)PageState.InUse) == 0 || page->HeadPfnPlusOne != 0)
                    {
                        problems.Add($"{zone}: pfn 0x{pfn:x} is neither free, cached, guard, reserved nor the head of an allocation (leaked)");
                        break;
                    }

                    step = 1UL << page->AllocOrder;
                    if (page->Type == (byte)PageType.Bad)
                    {
                        bad += (long)step;
                    }
                    else
                    {
                        allocated += (long)step;
                    }

                    bool compound = (page->Flags & (ulong)PageFlags.Head) != 0;
                    for (ulong i = 1; i < step; i++)
                    {
                        Page* tail = page + i;
                        bool pointsBack = tail->HeadPfnPlusOne == pfn + 1 && (tail->State & (byte)PageState.InUse) != 0;
                        if (compound ? !pointsBack : tail->Type != (byte)PageType.None || tail->HeadPfnPlusOne != 0)
                        {
                            problems.Add($"{zone}: tail pfn 0x{pfn + i:x} of the order-{page->AllocOrder} block at 0x{pfn:x} is {(compound ? "not pointing back to its compound head" : "marked as something else")}");
                            break;
                        }
                    }

                    break;
            }

            pfn += step;
        }

        if (free + cached + guard + allocated + bad != zone.ManagedPages)
        {
            problems.Add($"{zone}: managed pages {zone.ManagedPages} != free {free} + per-CPU {cached} + guard {guard} + allocated {allocated} + bad {bad}");
        }

        if (guard != zone.GuardPages)
        {
            problems.Add($"{zone}: guard page counter is {zone.GuardPages}, the walk found {guard}");
        }

        if (bad != zone.BadPages)
        {
            problems.Add($"{zone}: bad page counter is {zone.BadPages}, the walk found {bad}");
        }

        if (highAtomicBlocks * Pageblock.Pages != zone.ReservedHighAtomic)
        {
            problems.Add($"{zone}: nr_reserved_highatomic is {zone.ReservedHighAtomic}, {highAtomicBlocks} HighAtomic pageblocks found");
        }
    }
}
