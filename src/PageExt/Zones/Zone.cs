using System.Runtime.CompilerServices;
using PageExt.Pages;
using PageExt.Physical;

namespace PageExt.Zones;

/// <summary>
/// A zone (struct zone): a PFN range of one node with its own buddy free areas, watermarks and
/// per-CPU caches.
/// <para>
/// Concurrency model: <see cref="Lock"/> (the zone lock) guards the free areas, the free-page
/// counters' writes and pageblock migrate-type changes inside the zone. Counters are read without
/// it (watermark checks, views), as the kernel does, and may then be slightly stale. The per-CPU
/// caches belong to threads (<see cref="Buddy.ThreadPageCache"/>) and take the zone lock only to
/// refill or give back a batch.
/// </para>
/// </summary>
public sealed unsafe partial class Zone
{
    private readonly Page* _vmemmap;
    private readonly FreeArea[] _freeAreas = new FreeArea[Buddy.PageOrder.Count];
    private long _nrFreePages;
    private long _nrFreeCmaPages;

    internal Zone(PhysicalMemory memory, int node, ZoneType type, int index)
    {
        Memory = memory;
        _vmemmap = memory.Vmemmap;
        Node = node;
        Type = type;
        Index = index;
        FlagBits = PageFlagsLayout.Pack(node, (int)type);
        for (int i = 0; i < _freeAreas.Length; i++)
        {
            for (int t = 0; t < MigrateTypes.Count; t++)
            {
                _freeAreas[i].Lists[t].Head = Page.NoPfn;
            }
        }
    }

    public int Node { get; }

    public ZoneType Type { get; }

    public string Name => ZoneTypes.Name(Type);

    /// <summary>Position of this zone in the machine's zone table.</summary>
    internal int Index { get; }

    internal PhysicalMemory Memory { get; }

    /// <summary>Node and zone bits every page of this zone carries in its flags word.</summary>
    internal ulong FlagBits { get; }

    /// <summary>zone_start_pfn: first PFN of the span (may be a hole).</summary>
    public Pfn StartPfn { get; internal set; }

    /// <summary>spanned_pages: PFNs from start to end, holes included.</summary>
    public ulong SpannedPages { get; internal set; }

    public Pfn EndPfn => StartPfn + SpannedPages;

    /// <summary>present_pages: pages that exist (online) in the span.</summary>
    public long PresentPages { get; internal set; }

    /// <summary>managed_pages: present pages handed to the buddy allocator (present minus reserved).</summary>
    public long ManagedPages { get; internal set; }

    public bool IsPopulated => PresentPages > 0;

    public Watermarks Watermarks { get; internal set; }

    /// <summary>lowmem_reserve[]: pages kept back from allocations that could have used a higher zone, by that zone's index.</summary>
    internal long[] LowmemReserve { get; } = new long[ZoneTypes.Count];

    /// <summary>NR_FREE_PAGES: pages in blocks on the free lists (not per-CPU caches, not guard pages).</summary>
    public long FreePages => Volatile.Read(ref _nrFreePages);

    /// <summary>NR_FREE_CMA_PAGES: the part of <see cref="FreePages"/> on CMA lists.</summary>
    public long FreeCmaPages => Volatile.Read(ref _nrFreeCmaPages);

    /// <summary>Pages split off as guard blocks by expand() and not yet merged back.</summary>
    public long GuardPages { get; internal set; }

    /// <summary>Pages taken out of circulation by bad-page reports.</summary>
    public long BadPages { get; internal set; }

    /// <summary>nr_reserved_highatomic, in pages.</summary>
    internal long ReservedHighAtomic;

    internal readonly Lock Lock = new();

    /// <summary>Blocks moved between the buddy lists and a per-CPU cache at a time (pcp->batch).</summary>
    internal int PcpBatch = 1;

    /// <summary>A per-CPU cache holding this many pages gives a batch back (pcp->high).</summary>
    internal int PcpHigh = 4;

    internal ref FreeArea Area(int order) => ref _freeAreas[order];

    /// <summary>Blocks of <paramref name="order"/> on the <paramref name="type"/> list (racy read for views).</summary>
    public long FreeBlocks(int order, MigrateType type) => Volatile.Read(ref _freeAreas[order].Lists[(int)type].Count);

    /// <summary>nr_free of one order over all types.</summary>
    public long FreeBlocks(int order) => Volatile.Read(ref _freeAreas[order].NrFree);

    public bool Contains(Pfn pfn) => pfn >= StartPfn && pfn < EndPfn;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal Page* PageAt(uint pfn) => _vmemmap + pfn;

    /// <summary>Put a free block on the head of its list and count it (caller holds the zone lock).</summary>
    internal void AddToFreeListLocked(uint pfn, int order, MigrateType type)
    {
        Page* page = _vmemmap + pfn;
        ref FreeArea area = ref _freeAreas[order];
        ref FreeList list = ref area.Lists[(int)type];
        page->Type = (byte)PageType.Buddy;
        page->Private = (uint)order;
        page->Prev = Page.NoPfn;
        page->Next = list.Head;
        if (list.Head != Page.NoPfn)
        {
            _vmemmap[list.Head].Prev = pfn;
        }

        list.Head = pfn;
        list.Count++;
        area.NrFree++;
        AccountFreePagesLocked(1L << order, type);
    }

    /// <summary>Unlink a free block from its list and uncount it (caller holds the zone lock).</summary>
    internal void DelFromFreeListLocked(uint pfn, int order, MigrateType type)
    {
        Page* page = _vmemmap + pfn;
        ref FreeArea area = ref _freeAreas[order];
        ref FreeList list = ref area.Lists[(int)type];
        if (page->Prev != Page.NoPfn)
        {
            _vmemmap[page->Prev].Next = page->Next;
        }
        else
        {
            list.Head = page->Next;
        }

        if (page->Next != Page.NoPfn)
        {
            _vmemmap[page->Next].Prev = page->Prev;
        }

        page->Next = page->Prev = Page.NoPfn;
        page->Type = (byte)PageType.None;
        page->Private = 0;
        list.Count--;
        area.NrFree--;
        AccountFreePagesLocked(-(1L << order), type);
    }

    /// <summary>Move a free block between the lists of two types (caller holds the zone lock).</summary>
    internal void MoveToFreeListLocked(uint pfn, int order, MigrateType from, MigrateType to)
    {
        DelFromFreeListLocked(pfn, order, from);
        AddToFreeListLocked(pfn, order, to);
    }

    /// <summary>PFN of the first block on a list, or <see cref="Page.NoPfn"/>.</summary>
    internal uint FirstFree(int order, MigrateType type) => _freeAreas[order].Lists[(int)type].Head;

    private void AccountFreePagesLocked(long pages, MigrateType type)
    {
        // Writers hold the zone lock; the volatile write publishes the value to lock-free readers.
        Volatile.Write(ref _nrFreePages, _nrFreePages + pages);
        if (type == MigrateType.Cma)
        {
            Volatile.Write(ref _nrFreeCmaPages, _nrFreeCmaPages + pages);
        }
    }

    public override string ToString() => $"Node {Node}, zone {Name}";
}
