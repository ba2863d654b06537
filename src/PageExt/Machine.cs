using PageExt.Boot;
using PageExt.Buddy;
using PageExt.DebugPageAlloc;
using PageExt.Formatting;
using PageExt.Log;
using PageExt.PageExtension;
using PageExt.Pages;
using PageExt.Physical;
using PageExt.Tasks;
using PageExt.Zones;

namespace PageExt;

/// <summary>
/// A booted machine: its physical memory, nodes and zones, the buddy allocator over them, memory
/// hotplug, and the debugging features its command line switched on. Pages it hands out are real
/// memory that callers read and write through <see cref="PageSpan"/> or <see cref="PageAddress"/>.
/// <para>
/// Lifecycle: <see cref="Boot"/> runs the kernel's memory bring-up in order (layout, memory map,
/// zones, every free page into the buddy allocator, watermarks, then page_ext and its clients);
/// <see cref="Dispose"/> returns the arena to the OS, after which no page of it may be touched.
/// Many machines may exist in one process, each with its own configuration.
/// </para>
/// </summary>
public sealed unsafe class Machine : IDisposable
{
    private readonly PhysicalMemory _memory;
    private readonly Node[] _nodes;
    private readonly Zone[] _zones;
    private readonly PageAllocator _allocator;
    private readonly MemoryHotplug _hotplug;
    private PageOwner.PageOwner _pageOwner = null!;
    private DebugPageAllocFeature? _debugPageAlloc;
    private PageExtensions _pageExt = null!;
    private Metrics.MachineCounters? _counters;

    private Machine(MachineDescription description, BootParameters parameters, MemoryLayout layout, PhysicalMemory memory, Node[] nodes, Zone[] zones, KernelLog log)
    {
        Description = description;
        Parameters = parameters;
        Layout = layout;
        _memory = memory;
        _nodes = nodes;
        _zones = zones;
        Log = log;
        _allocator = new PageAllocator(memory, nodes, zones, log, static () => CurrentTask.Comm);
        _hotplug = new MemoryHotplug(this);
    }

    public MachineDescription Description { get; }

    /// <summary>Process-unique, never reused; the machine tag of the PageExt counters (<see cref="Metrics.PageExtMetrics"/>).</summary>
    public long Id => _allocator.Id;

    /// <summary>The effective boot parameters, parsed from <see cref="MachineDescription.CommandLine"/>.</summary>
    public BootParameters Parameters { get; }

    /// <summary>True when cma= reserved pageblocks (a kernel built with CONFIG_CMA shows the CMA column).</summary>
    public bool HasCma => Parameters.CmaBytes > 0;

    internal MemoryLayout Layout { get; }

    // The live parts below throw ObjectDisposedException once the machine is disposed; what it was
    // booted with (Description, Parameters) and what it printed (Log) stay readable.
    public PhysicalMemory Memory => Live(_memory);

    public IReadOnlyList<Node> Nodes => Live(_nodes);

    /// <summary>Every zone slot, populated or not, node by node in zone order.</summary>
    public IReadOnlyList<Zone> Zones => Live(_zones);

    /// <summary>Zones with memory, in node then zone order (what /proc/buddyinfo lists).</summary>
    public IEnumerable<Zone> PopulatedZones => Live(_zones).Where(z => z.IsPopulated);

    public PageAllocator Allocator => Live(_allocator);

    public MemoryHotplug Hotplug => Live(_hotplug);

    /// <summary>Everything the machine printed, boot messages first.</summary>
    public KernelLog Log { get; }

    /// <summary>page_owner: who owns every page (enabled by page_owner=on).</summary>
    public PageOwner.PageOwner PageOwner
    {
        get => Live(_pageOwner);
        private set => _pageOwner = value;
    }

    /// <summary>debug_pagealloc and page poisoning (debug_pagealloc=, debug_guardpage_minorder=, page_poison=).</summary>
    public DebugPageAllocFeature? DebugPageAlloc
    {
        get => Live(_debugPageAlloc);
        private set => _debugPageAlloc = value;
    }

    /// <summary>page_ext: the per-page extension tables and the clients that asked for them.</summary>
    public PageExtensions PageExt
    {
        get => Live(_pageExt);
        private set => _pageExt = value;
    }

    /// <summary>True once <see cref="Dispose"/> has begun.</summary>
    public bool IsDisposed => _allocator.IsShutDown;

    /// <summary>Enter an operation on the machine's memory (see <see cref="PageAllocator.EnterOperation"/>).</summary>
    internal PageAllocator.OperationScope EnterOperation() => _allocator.EnterOperation();

    internal void ThrowIfDisposed() => _allocator.ThrowIfShutDown();

    private T Live<T>(T part)
    {
        _allocator.ThrowIfShutDown();
        return part;
    }

    /// <summary>
    /// Boot a machine as described (the default: 1 GiB, one node, no debugging). A command line
    /// with malformed values is refused with a <see cref="BootParameterException"/> that names
    /// every bad parameter and its allowed values; unknown parameters are logged and ignored.
    /// </summary>
    public static Machine Boot(MachineDescription? description = null) => Boot(description, []);

    /// <summary>
    /// Boot with page_ext clients given by the caller in addition to the built-in ones (which come
    /// first, in the kernel's order), and optionally a table source other than the machine's memory.
    /// </summary>
    internal static Machine Boot(MachineDescription? description, PageExtClient[] extraClients, Func<PageAllocator, IPageExtTableSource>? tableSource = null)
    {
        description ??= MachineDescription.Default;
        var (parse, parameters, layout) = Plan(description);
        var log = new KernelLog();
        log.Print($"Kernel command line: {description.CommandLine}");
        foreach (var line in parse.Log)
        {
            log.Print(line);
        }

        var memory = new PhysicalMemory(layout.MaxPfn);
        try
        {
            var zones = new Zone[layout.NodeRanges.Length * ZoneTypes.Count];
            var nodes = new Node[layout.NodeRanges.Length];
            for (int n = 0; n < nodes.Length; n++)
            {
                var nodeZones = new Zone[ZoneTypes.Count];
                for (int z = 0; z < ZoneTypes.Count; z++)
                {
                    var zone = new Zone(memory, n, (ZoneType)z, (n * ZoneTypes.Count) + z);
                    nodeZones[z] = zones[zone.Index] = zone;
                }

                var (start, end) = layout.NodeRanges[n];
                nodes[n] = new Node(n, new Pfn(start), end - start, nodeZones);
            }

            var machine = new Machine(description, parameters, layout, memory, nodes, zones, log);
            machine.BringUpMemory();
            machine.InitPageExt(extraClients, tableSource?.Invoke(machine.Allocator) ?? new BuddyTableSource(machine.Allocator));
            machine._counters = Metrics.MachineCounters.Register(machine._allocator, machine._pageOwner.Depot, machine._debugPageAlloc);
            return machine;
        }
        catch
        {
            memory.Release();
            throw;
        }
    }

    /// <summary>
    /// Check that <see cref="Boot(MachineDescription?)"/> would accept the description, without
    /// booting: the command line parses, the memory layout can be built and every size on the
    /// command line fits it. These are the very checks boot runs first, so a description that
    /// passes boots unless the host refuses the memory. Throws <see cref="BootParameterException"/>
    /// or <see cref="MachineDescriptionException"/>, as boot would.
    /// </summary>
    public static void Validate(MachineDescription? description = null) => Plan(description ?? MachineDescription.Default);

    /// <summary>Everything boot decides before it touches memory; every refusal a description can earn happens here.</summary>
    private static (BootParseResult Parse, BootParameters Parameters, MemoryLayout Layout) Plan(MachineDescription description)
    {
        var parse = BootCommandLine.Parse(description.CommandLine);
        var parameters = parse.ThrowIfErrors();
        var layout = MemoryLayout.Compute(description, (long)parameters.MovableCoreBytes, (long)parameters.MemBytes);
        _ = CmaArea(layout, (long)parameters.CmaBytes);
        return (parse, parameters, layout);
    }

    /// <summary>
    /// Where cma= takes its pageblocks: the top of node 0's highest non-movable zone. Refuses an
    /// area smaller than a pageblock or larger than half that zone.
    /// </summary>
    private static (ZoneType Zone, ulong StartPfn, ulong Blocks) CmaArea(MemoryLayout layout, long bytes)
    {
        if (bytes <= 0)
        {
            return (ZoneType.Normal, 0, 0);
        }

        int zone = -1;
        for (int z = (int)ZoneType.Movable - 1; z >= 0 && zone < 0; z--)
        {
            var (s, e) = layout.ZoneRanges[0, z];
            zone = e > s ? z : -1;
        }

        if (zone < 0)
        {
            throw new MachineDescriptionException("cma=: the machine has no zone to take the area from");
        }

        var (start, end) = layout.ZoneRanges[0, zone];
        ulong blocks = (ulong)(bytes >> PageSize.Shift) / Pageblock.Pages;
        if (blocks == 0 || blocks * Pageblock.Pages > (end - start) / 2)
        {
            throw new MachineDescriptionException(
                $"cma={ByteSize.Format(bytes)} does not fit: it must be at least one 2 MiB pageblock and at most half of node 0's {ZoneTypes.Name((ZoneType)zone)} zone ({ByteSize.Format((long)((end - start) * PageSize.Bytes / 2))})");
        }

        return ((ZoneType)zone, end - (blocks * Pageblock.Pages), blocks);
    }

    /// <summary>mm_core_init(): present the sections, lay out zones, free every usable page, tune the zones.</summary>
    private void BringUpMemory()
    {
        var layout = Layout;
        for (int s = 0; (ulong)s << MemorySection.PagesShift < layout.BootEndPfn; s++)
        {
            ulong start = (ulong)s << MemorySection.PagesShift;
            ulong end = Math.Min(start + MemorySection.Pages, layout.BootEndPfn);
            if (!AllHole(start, end))
            {
                _memory.AddSection(s, NodeOf(start));
            }
        }

        PrintZoneRanges();
        foreach (var zone in Zones)
        {
            var (start, end) = layout.ZoneRanges[zone.Node, (int)zone.Type];
            if (end > start)
            {
                InitZone(zone, start, end);
            }
        }

        foreach (var section in _memory.PresentSections)
        {
            _memory.SetState(section, SectionState.Online);
        }

        ReserveCma((long)Parameters.CmaBytes);

        foreach (var zone in Zones)
        {
            var (start, end) = layout.ZoneRanges[zone.Node, (int)zone.Type];
            foreach (var (runStart, runEnd) in UsableRuns(start, end))
            {
                Allocator.FreeRangeToBuddy(zone, runStart, runEnd);
            }
        }

        Allocator.Retune(Nodes, Description.Cpus);
        long managed = Zones.Sum(z => z.ManagedPages);
        long present = Zones.Sum(z => z.PresentPages);
        Log.Print($"Built {Nodes.Count} zonelists, mobility grouping on.  Total pages: {managed}");
        Log.Print($"Memory: {FreePagesTotal() * 4}K/{present * 4}K available");
    }

    /// <summary>
    /// page_ext_init() and the clients' init, after the buddy allocator is up (the tables come from
    /// it); then the clients that are enabled are installed as allocator hooks, in the kernel's
    /// order, and page_ext follows memory hotplug.
    /// </summary>
    private void InitPageExt(PageExtClient[] extraClients, IPageExtTableSource source)
    {
        PageOwner = new PageOwner.PageOwner(this, Parameters);

        // The seed's client order: debug_guardpage, page_poisoning, page_owner. A caller that
        // brings its own debug_pagealloc feature (tests with a manual clock) replaces the built-in one.
        var givenDebug = extraClients.Where(c => c is DebugGuardpageClient or PagePoisoningClient).ToArray();
        DebugPageAllocFeature? feature = null;
        if (givenDebug.Length == 0)
        {
            feature = DebugPageAllocFeature.Create(new DebugPageAllocSettings
            {
                DebugPagealloc = Parameters.DebugPagealloc,
                GuardPageMinOrder = Parameters.DebugGuardpageMinorder,
                PagePoison = Parameters.PagePoison,
                MaxProtectedRanges = Parameters.DebugPageallocMaxRanges,
            });
            givenDebug = [.. feature.Clients];
        }

        PageExtClient[] clients = [.. givenDebug, PageOwner, .. extraClients.Except(givenDebug)];
        if (!PageExtFeature.Supported && clients.Any(c => c.Need()))
        {
            Log.Print("page_ext: disabled for this process (PAGEEXT_SUPPORTED=0); clients ignored");
            clients = [];
        }

        PageExt = new PageExtensions(_memory, Log, source, clients) { Allocator = Allocator };
        PageExt.Init();
        Hotplug.Register(PageExt);
        DebugPageAlloc = DebugPageAllocFeature.Find(this);
        if (DebugPageAlloc is not null && PageOwner.IsEnabled)
        {
            // Poisoning and fault reports name the page's last owner and free stack.
            DebugPageAlloc.PageDetails = PageOwner;
        }

        var hooks = clients.Where(c => c.HasSpace).OfType<IPageAllocatorHook>().ToArray();
        Allocator.InstallHooks(hooks);
    }

    /// <summary>
    /// cma=: mark pageblocks at the top of node 0's highest non-movable zone MIGRATE_CMA before
    /// their pages are freed, so they start out on the CMA free lists (cma_init_reserved_areas).
    /// </summary>
    private void ReserveCma(long bytes)
    {
        var (zoneType, start, blocks) = CmaArea(Layout, bytes);
        if (blocks == 0)
        {
            return;
        }

        var zone = Nodes[0].Zone(zoneType);
        for (ulong block = start; block < zone.EndPfn.Value; block += Pageblock.Pages)
        {
            _memory.SetPageblockType(block, MigrateType.Cma);
        }

        Log.Print($"cma: Reserved {bytes >> 20} MiB at 0x{start << PageSize.Shift:x16}");
    }

    /// <summary>memmap_init_zone(): span, present and managed pages; every pageblock Movable; reserved pages marked.</summary>
    private void InitZone(Zone zone, ulong start, ulong end)
    {
        zone.StartPfn = new Pfn(start);
        zone.SpannedPages = end - start;
        for (ulong block = start; block < end; block += Pageblock.Pages)
        {
            if (_memory.IsValid(block))
            {
                _memory.SetPageblockZone(block, zone.Index);
                _memory.SetPageblockType(block, MigrateType.Movable);
            }
        }

        long present = 0, managed = 0;
        for (ulong block = start; block < end; block += Pageblock.Pages)
        {
            if (!_memory.IsValid(block) || Layout.IsHole(block))
            {
                if (_memory.IsValid(block))
                {
                    MarkReserved(zone, block, Math.Min(block + Pageblock.Pages, end));
                }

                continue;
            }

            present += (long)Math.Min((ulong)Pageblock.Pages, end - block);
        }

        foreach (var (runStart, runEnd) in UsableRuns(start, end))
        {
            managed += (long)(runEnd - runStart);
        }

        if (start == 0 && _memory.IsValid(0) && !Layout.IsHole(0))
        {
            // x86-64 never gives PFN 0 to the allocator (real-mode trampoline and BIOS data).
            MarkReserved(zone, 0, 1);
        }

        zone.PresentPages = present;
        zone.ManagedPages = managed;
    }

    private void MarkReserved(Zone zone, ulong start, ulong end)
    {
        ulong zoneBits = zone.FlagBits;
        for (ulong pfn = start; pfn < end; pfn++)
        {
            _memory.PfnToPage(pfn)->Flags = (ulong)PageFlags.Reserved | zoneBits;
        }
    }

    /// <summary>Runs of a PFN range with no hole, no absent section and not PFN 0.</summary>
    internal IEnumerable<(ulong Start, ulong End)> UsableRuns(ulong start, ulong end)
    {
        ulong runStart = ulong.MaxValue;
        for (ulong block = start; block < end; block += Pageblock.Pages)
        {
            bool usable = _memory.IsValid(block) && !Layout.IsHole(block);
            if (usable && runStart == ulong.MaxValue)
            {
                runStart = block == 0 ? 1 : block;
            }
            else if (!usable && runStart != ulong.MaxValue)
            {
                yield return (runStart, block);
                runStart = ulong.MaxValue;
            }
        }

        if (runStart != ulong.MaxValue)
        {
            yield return (runStart, end);
        }
    }

    private bool AllHole(ulong start, ulong end)
    {
        for (ulong block = start; block < end; block += Pageblock.Pages)
        {
            if (!Layout.IsHole(block))
            {
                return false;
            }
        }

        return true;
    }

    internal int NodeOf(ulong pfn)
    {
        for (int n = 0; n < Layout.NodeRanges.Length; n++)
        {
            if (pfn < Layout.NodeRanges[n].End)
            {
                return n;
            }
        }

        return Layout.NodeRanges.Length - 1;
    }

    private void PrintZoneRanges()
    {
        Log.Print("Zone ranges:");
        for (int z = 0; z < (int)ZoneType.Movable; z++)
        {
            ulong lo = ulong.MaxValue, hi = 0;
            for (int n = 0; n < Nodes.Count; n++)
            {
                var (s, e) = Layout.ZoneRanges[n, z];
                if (e > s)
                {
                    lo = Math.Min(lo, s);
                    hi = Math.Max(hi, e);
                }
            }

            string name = ZoneTypes.Name((ZoneType)z);
            Log.Print(hi == 0
                ? $"  {name,-8} empty"
                : $"  {name,-8} [mem 0x{Math.Max(lo, 1) << PageSize.Shift:x16}-0x{(hi << PageSize.Shift) - 1:x16}]");
        }
    }

    /// <summary>Free pages in all zones (NR_FREE_PAGES summed).</summary>
    public long FreePagesTotal() => Live(_zones).Sum(z => z.FreePages);

    public bool TryAllocPages(GfpFlags gfp, int order, out Pfn pfn) => _allocator.TryAllocPages(gfp, order, out pfn);

    public void FreePages(Pfn pfn, int order) => _allocator.FreePages(pfn, order);

    /// <inheritdoc cref="PageAllocator.PageSpan"/>
    public Span<byte> PageSpan(Pfn pfn, int order = 0) => _allocator.PageSpan(pfn, order);

    /// <inheritdoc cref="PageAllocator.PageAddress"/>
    public nint PageAddress(Pfn pfn) => _allocator.PageAddress(pfn);

    /// <summary>
    /// Return the machine's memory to the OS. Idempotent and safe while other threads use the
    /// machine: an operation already running finishes first; one that starts later throws
    /// <see cref="ObjectDisposedException"/>. Spans and addresses handed out before must not be
    /// used after.
    /// </summary>
    public void Dispose()
    {
        // Only the caller that shut the allocator down releases; it refuses, before marking
        // anything, when called from inside one of the machine's own operations.
        if (!_allocator.Shutdown())
        {
            return;
        }

        _counters?.Retire();
        _pageExt?.Release();
        _memory.Release();
    }
}
