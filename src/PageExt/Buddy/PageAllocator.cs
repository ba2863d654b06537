using System.Runtime.CompilerServices;
using PageExt.Errors;
using PageExt.Log;
using PageExt.Pages;
using PageExt.Physical;
using PageExt.Platform;
using PageExt.Zones;

namespace PageExt.Buddy;

/// <summary>
/// The buddy page allocator (mm/page_alloc.c): hands out naturally aligned blocks of 2^order
/// pages from per-zone free areas, splitting larger blocks on allocation and merging buddies on
/// free, with per-CPU caches in front for orders up to <see cref="PageOrder.Costly"/>.
/// <para>
/// Concurrency model: any number of threads may allocate and free at once. Small allocations and
/// frees go through the calling thread's per-CPU lists (<see cref="ThreadPageCache"/>) with no
/// atomic instruction; everything else, and the caches' refills and batch returns, take the zone
/// lock. Drains of other threads' caches are serialised by a drain lock and never hold a zone lock
/// while they wait for an owner. No path holds two zone locks, except the invariant walker, which
/// takes them all in zone order.
/// </para>
/// <para>
/// Misuse (double free, a free of a page never allocated, a tail page, a wrong order, a PFN outside
/// the machine) is reported as a <see cref="BadPageReport"/>, the page is left alone or taken out
/// of circulation, and every other page stays correct. Allocation failure is a return value.
/// </para>
/// </summary>
[AllocatorFrame]
public sealed unsafe partial class PageAllocator
{
    private readonly PhysicalMemory _memory;
    private readonly Page* _vmemmap;
    /// <summary>One past the last PFN; 0 once shut down, so that every free fails the range check and is told why.</summary>
    private ulong _maxPfn;

    // The physical memory's tables, cached here so the hot paths reach them in one load.
    private readonly SectionState* _sectionStates;
    private readonly byte* _pageblockTypes;

    /// <summary>[node * zone types + highest zone]: index of the first zone of that zonelist, -1 if none.</summary>
    private readonly int* _fastZone;
    private readonly int[] _fastZoneStorage;

    /// <summary>[zone index]: the node and zone bits an allocated page's flags carry (page_zone()'s source).</summary>
    private readonly ulong* _zoneFlagBits;
    private readonly ulong[] _zoneFlagBitsStorage;
    private readonly Zone[] _zones;
    private readonly Node[] _nodes;
    private readonly int _nodeCount;

    /// <summary>[preferred node][highest zone index] -> populated zones to try, in order.</summary>
    private Zone[][][] _zonelists;
    private readonly KernelLog _log;
    private readonly Func<string> _currentTask;

    /// <summary>Split-off buddies below this order become guard pages (0 = off); from the hook table.</summary>
    private int _guardMinOrder;

    /// <summary>The guard-page owner (debug_pagealloc's page_ext flag); null unless guard pages are on.</summary>
    private IGuardPageHook? _guardHook;

    /// <summary>The features' hook table; null when no feature is enabled, which is the whole off-path cost.</summary>
    private AllocatorHookTable? _hooks;
    private AllocatorHookTable? _installedHooks;
    private long _badPageCount;
    private long _allocFailures;

    internal PageAllocator(PhysicalMemory memory, Node[] nodes, Zone[] zones, KernelLog log, Func<string> currentTask)
    {
        _memory = memory;
        _vmemmap = memory.Vmemmap;
        _maxPfn = memory.MaxPfn;
        _sectionStates = memory.SectionStates;
        _pageblockTypes = memory.PageblockTypes;
        _fastZoneStorage = PinnedArray.Allocate(nodes.Length * ZoneTypes.Count, out _fastZone);
        _zoneFlagBitsStorage = PinnedArray.Allocate(zones.Length, out _zoneFlagBits);
        for (int z = 0; z < zones.Length; z++)
        {
            _zoneFlagBits[z] = zones[z].FlagBits;
        }

        _nodes = nodes;
        _nodeCount = nodes.Length;
        _zones = zones;
        _log = log;
        _currentTask = currentTask;
        _zonelists = BuildZonelists();
    }

    /// <summary>Raised for every bad-page report, on the thread that caused it.</summary>
    public event Action<BadPageReport>? BadPage;

    /// <summary>Bad-page reports since boot.</summary>
    public long BadPageCount
    {
        get
        {
            ThrowIfShutDown();
            return Interlocked.Read(ref _badPageCount);
        }
    }

    /// <summary>Allocations that returned no page.</summary>
    public long AllocationFailures
    {
        get
        {
            ThrowIfShutDown();
            return Interlocked.Read(ref _allocFailures);
        }
    }

    public IReadOnlyList<Zone> Zones
    {
        get
        {
            ThrowIfShutDown();
            return _zones;
        }
    }

    public IReadOnlyList<Node> Nodes
    {
        get
        {
            ThrowIfShutDown();
            return _nodes;
        }
    }

    internal PhysicalMemory Memory => _memory;

    internal int GuardMinOrder => _guardMinOrder;

    /// <summary>The hook table the machine booted with (every slot, enabled or not); null before boot installs it.</summary>
    internal AllocatorHookTable? Hooks => _installedHooks;

    /// <summary>
    /// Install the features' hook table: once, at boot, before any other thread uses the allocator.
    /// A second table is refused, so what a feature may do to the allocator is fixed at boot.
    /// </summary>
    internal void InstallHooks(AllocatorHookTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        if (_installedHooks is not null)
        {
            ThrowHelper.ThrowInvalidOperation("the allocator's hook table is installed once, at boot");
        }

        _installedHooks = table;
        _guardHook = table.Guard;
        _guardMinOrder = table.GuardMinOrder;
        lock (_cachesLock)
        {
            _hooks = table.AnyEnabled ? table : null;

            // Boot's own allocations (page_ext's tables) made this thread's cache before the table.
            foreach (var cache in _caches)
            {
                cache.Set->HasClients = HasClientsFlag;
            }
        }
    }

    /// <summary>A per-CPU cache's <see cref="ThreadPageCache.PageSet.HasClients"/>. Caller holds <see cref="_cachesLock"/>.</summary>
    private int HasClientsFlag => AllocatorHookTable.Supported && _hooks is not null ? 1 : 0;

    internal bool HasHooks => _hooks is not null;

    /// <summary>
    /// alloc_pages(): a block of 2^<paramref name="order"/> pages, or false when no zone the mask
    /// allows has one above its watermark.
    /// </summary>
    public bool TryAllocPages(GfpFlags gfp, int order, out Pfn pfn)
    {
        uint p = AllocPagesCore(gfp, order, PreferredNode());
        pfn = new Pfn(p);
        return p != Page.NoPfn;
    }

    /// <summary>alloc_pages_node(): as <see cref="TryAllocPages"/>, trying <paramref name="node"/> first.</summary>
    public bool TryAllocPagesNode(int node, GfpFlags gfp, int order, out Pfn pfn)
    {
        ThrowIfShutDown();
        if ((uint)node >= (uint)_nodes.Length)
        {
            ThrowHelper.ThrowArgumentOutOfRange(nameof(node), $"node {node} does not exist (the machine has {_nodes.Length})");
        }

        uint p = AllocPagesCore(gfp, order, node);
        pfn = new Pfn(p);
        return p != Page.NoPfn;
    }

    /// <summary>__get_free_pages(): the address of a new block, or 0.</summary>
    public nint GetFreePages(GfpFlags gfp, int order)
    {
        uint p = AllocPagesCore(gfp, order, PreferredNode());
        return p == Page.NoPfn ? 0 : _memory.PageAddress(p);
    }

    /// <summary>__free_pages(): give back a block allocated with the same order.</summary>
    public void FreePages(Pfn pfn, int order) => FreePagesCore(pfn.Value, order);

    /// <summary>free_pages(): give back the block whose first byte is at <paramref name="address"/>.</summary>
    public void FreePagesAt(nint address, int order)
    {
        if (!_memory.TryAddressToPfn(address, out ulong pfn) || (address & (nint)PageSize.OffsetMask) != 0)
        {
            using var operation = EnterOperation();
            ReportOutOfRange(pfn, order, $"address 0x{address:x} is not the start of a page of this machine");
            return;
        }

        FreePagesCore(pfn, order);
    }

    /// <summary>
    /// page_address(): the first byte of a frame of present memory. The caller owns the page, and
    /// stops using the address when the machine is disposed.
    /// </summary>
    public nint PageAddress(Pfn pfn)
    {
        using var operation = EnterOperation();
        CheckValid(pfn.Value);
        return _memory.PageAddress(pfn.Value);
    }

    /// <summary>
    /// PAGE_OFFSET: the address of PFN 0 in the direct map, so that a caller renting pages on a hot
    /// path computes <c>page_address()</c> as <c>DirectMapBase + (pfn &lt;&lt; PAGE_SHIFT)</c>
    /// without entering an operation each time. Valid for the pages the caller owns, until the
    /// machine is disposed.
    /// </summary>
    public nint DirectMapBase
    {
        get
        {
            using var operation = EnterOperation();
            return (nint)_memory.ArenaBase;
        }
    }

    /// <summary>
    /// The bytes of a block the caller allocated with <paramref name="order"/>: every page of it must
    /// be present memory. The caller stops using the span when the machine is disposed.
    /// </summary>
    public Span<byte> PageSpan(Pfn pfn, int order = 0)
    {
        using var operation = EnterOperation();
        if ((uint)order > PageOrder.Max)
        {
            ThrowHelper.ThrowArgumentOutOfRange(nameof(order), $"order {order} is above MAX_PAGE_ORDER ({PageOrder.Max})");
        }

        CheckValid(pfn.Value);
        ulong last = pfn.Value + (1UL << order) - 1;
        if (!_memory.IsValid(last))
        {
            ThrowHelper.ThrowArgumentOutOfRange(nameof(pfn), $"pfn 0x{pfn.Value:x} order {order} runs to pfn 0x{last:x}, outside the machine's present memory");
        }

        return new Span<byte>((void*)_memory.PageAddress(pfn.Value), PageSize.Bytes << order);
    }

    /// <summary>virt_to_page(): the frame an address of this machine's memory lies in.</summary>
    public bool TryAddressToPfn(nint address, out Pfn pfn)
    {
        using var operation = EnterOperation();
        bool ok = _memory.TryAddressToPfn(address, out ulong p) && _memory.IsValid(p);
        pfn = new Pfn(p);
        return ok;
    }

    /// <summary>The descriptor of a valid PFN (a copy; the live one changes under the allocator).</summary>
    public Page GetPage(Pfn pfn)
    {
        using var operation = EnterOperation();
        CheckValid(pfn.Value);
        return _vmemmap[pfn.Value];
    }

    /// <summary>page_zone(): the zone an online PFN belongs to, or null.</summary>
    public Zone? ZoneOf(Pfn pfn)
    {
        using var operation = EnterOperation();
        if (!_memory.IsOnline(pfn.Value))
        {
            return null;
        }

        int index = _memory.PageblockZone(pfn.Value);
        return index < _zones.Length ? _zones[index] : null;
    }

    /// <summary>get_pageblock_migratetype().</summary>
    public MigrateType PageblockMigrateType(Pfn pfn)
    {
        using var operation = EnterOperation();
        CheckValid(pfn.Value);
        return _memory.PageblockType(pfn.Value);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal Page* PageAt(ulong pfn) => _vmemmap + pfn;

    /// <summary>The PFN walk over [<paramref name="start"/>, <paramref name="end"/>), only <paramref name="zone"/>'s pages when given (see <see cref="PfnWalker"/>).</summary>
    internal PfnWalker WalkPfns(ulong start, ulong end, Zone? zone = null) => new(_memory, start, end, zone?.Index ?? -1);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Zone ZoneOfOnline(ulong pfn) => _zones[_memory.PageblockZone(pfn)];

    /// <summary>pfn_to_online_page() != NULL, from the cached section table.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool IsOnline(ulong pfn) => pfn < _maxPfn && _sectionStates[pfn >> MemorySection.PagesShift] == SectionState.Online;

    /// <summary>get_pfnblock_migratetype() of a validated PFN, from the cached pageblock table.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private MigrateType BlockType(ulong pfn) => (MigrateType)_pageblockTypes[pfn >> Pageblock.Order];

    /// <summary>
    /// numa_node_id(): the node a thread allocates from first. Threads are spread over the nodes by
    /// their managed id and stay put, as a task mostly stays on its CPU's node.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int PreferredNode() => _nodeCount == 1 ? 0 : Environment.CurrentManagedThreadId % _nodeCount;

    private void CheckValid(ulong pfn)
    {
        if (!_memory.IsValid(pfn))
        {
            ThrowHelper.ThrowArgumentOutOfRange(nameof(pfn), $"pfn 0x{pfn:x} is outside the machine's present memory");
        }
    }

    /// <summary>
    /// After boot or a hotplug event changed the zones: rebuild the zonelists, recompute the
    /// watermarks, reserves and pcp limits, and hand the new limits to every per-CPU cache.
    /// </summary>
    internal void Retune(IReadOnlyList<Node> nodes, int cpus)
    {
        Volatile.Write(ref _zonelists, BuildZonelists());
        ZoneTuning.Apply(nodes, cpus);
        RefreshPcpLimits();
    }

    /// <summary>
    /// build_zonelists(): for each preferred node and each highest usable zone, the populated zones
    /// at or below it, the preferred node's first (highest zone first), then the other nodes' in
    /// node order.
    /// </summary>
    private Zone[][][] BuildZonelists()
    {
        var lists = new Zone[_nodes.Length][][];
        for (int preferred = 0; preferred < _nodes.Length; preferred++)
        {
            lists[preferred] = new Zone[ZoneTypes.Count][];
            for (int highest = 0; highest < ZoneTypes.Count; highest++)
            {
                var list = new List<Zone>();
                for (int n = 0; n < _nodes.Length; n++)
                {
                    var node = _nodes[(preferred + n) % _nodes.Length];
                    for (int z = highest; z >= 0; z--)
                    {
                        if (node.Zones[z].IsPopulated)
                        {
                            list.Add(node.Zones[z]);
                        }
                    }
                }

                lists[preferred][highest] = [.. list];
                Volatile.Write(ref _fastZone[(preferred * ZoneTypes.Count) + highest], list.Count > 0 ? list[0].Index : -1);
            }
        }

        return lists;
    }
}
