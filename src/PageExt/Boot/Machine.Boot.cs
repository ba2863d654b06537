using PageExt.Boot;
using PageExt.Buddy;
using PageExt.DebugPageAlloc;
using PageExt.Log;
using PageExt.PageExtension;
using PageExt.Physical;
using PageExt.Zones;

namespace PageExt;

/// <summary>
/// The boot sequence: the kernel's memory bring-up as five named steps, in its order. Each step
/// reads top to bottom and hands the next a machine that is one stage further up:
/// <list type="number">
/// <item><see cref="SetupMemoryLayout"/>: setup_arch() (e820 to memblock, sparse_init()): the arena, nodes, zones and present sections.</item>
/// <item><see cref="InitZonesAndFreeLists"/>: free_area_init() and memblock_free_all(): zone spans, reserved pages, CMA, every usable page in the buddy allocator, zonelists and watermarks.</item>
/// <item><see cref="InitPageExt"/>: page_ext_init(): invoke_need_callbacks(), a table per online section, the memory hotplug notifier.</item>
/// <item><see cref="InitClients"/>: invoke_init_callbacks() (init_debug_guardpage(), init_page_owner()), then the allocator's hook table: the static keys those inits enable.</item>
/// <item><see cref="LateInit"/>: what needs every client up: page_owner's walk of pages allocated before it (init_early_allocated_pages()) and the link from debug_pagealloc's reports to page_owner.</item>
/// </list>
/// The boot is built on the machine itself (a partial of <see cref="Machine"/>), so that what it
/// sets up stays private to the machine.
/// </summary>
public sealed partial class Machine
{
    /// <summary>
    /// Boot with page_ext clients given by the caller in addition to the built-in ones (which come
    /// first, in the kernel's order; those that are allocator clients get hook table slots after
    /// the built-in ones), optionally a table source other than the machine's memory, and
    /// optionally the caller's own debug_pagealloc feature (tests with a manual clock) in place of
    /// the one the command line describes.
    /// </summary>
    internal static Machine Boot(MachineDescription? description, PageExtClient[] extraClients, Func<PageAllocator, IPageExtTableSource>? tableSource = null, DebugPageAllocFeature? debugPageAlloc = null)
    {
        description ??= MachineDescription.Default;
        var (parse, parameters, layout) = Plan(description);
        var machine = SetupMemoryLayout(description, parse, parameters, layout);
        try
        {
            machine.InitZonesAndFreeLists();
            var clients = machine.CreateAllocatorClients(debugPageAlloc);
            machine.InitPageExt([.. clients.OfType<PageExtClient>(), .. extraClients], tableSource?.Invoke(machine._allocator) ?? new BuddyTableSource(machine._allocator));
            machine.InitClients([.. clients, .. extraClients.OfType<IAllocatorClient>()]);
            machine.LateInit();
            return machine;
        }
        catch
        {
            machine._memory.Release();
            throw;
        }
    }

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
    /// Step 1, setup_arch(): print the command line, reserve the arena for the whole address space,
    /// make every node and zone object, and present the sections that are not all hole
    /// (sparse_init()). No page is usable yet.
    /// </summary>
    private static Machine SetupMemoryLayout(MachineDescription description, BootParseResult parse, BootParameters parameters, MemoryLayout layout)
    {
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
            machine.PresentSections();
            return machine;
        }
        catch
        {
            memory.Release();
            throw;
        }
    }

    /// <summary>
    /// Step 2, free_area_init() then memblock_free_all(): lay out every zone and mark its reserved
    /// pages, bring the sections online, set the CMA pageblocks aside, free every usable page into
    /// the buddy allocator, then build the zonelists and tune the watermarks.
    /// </summary>
    private void InitZonesAndFreeLists()
    {
        PrintZoneRanges();
        foreach (var zone in _zones)
        {
            var (start, end) = Layout.ZoneRanges[zone.Node, (int)zone.Type];
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
        foreach (var zone in _zones)
        {
            var (start, end) = Layout.ZoneRanges[zone.Node, (int)zone.Type];
            foreach (var (runStart, runEnd) in UsableRuns(start, end))
            {
                _allocator.FreeRangeToBuddy(zone, runStart, runEnd);
            }
        }

        _allocator.Retune(_nodes, Description.Cpus);
        long managed = _zones.Sum(z => z.ManagedPages);
        long present = _zones.Sum(z => z.PresentPages);
        Log.Print($"Built {_nodes.Length} zonelists, mobility grouping on.  Total pages: {managed}");
        Log.Print($"Memory: {FreePagesTotal() * 4}K/{present * 4}K available");
    }

    /// <summary>
    /// The allocator's clients, in the order the kernel calls them on allocation (the free side runs
    /// in reverse) and asks page_ext's need: debug_guardpage, page_poisoning, page_owner. A new
    /// client of the allocator is one more line here.
    /// </summary>
    private IAllocatorClient[] CreateAllocatorClients(DebugPageAllocFeature? debugPageAlloc)
    {
        DebugPageAlloc = debugPageAlloc ?? DebugPageAllocFeature.Create(new DebugPageAllocSettings
        {
            DebugPagealloc = Parameters.DebugPagealloc,
            GuardPageMinOrder = Parameters.DebugGuardpageMinorder,
            PagePoison = Parameters.PagePoison,
            MaxProtectedRanges = Parameters.DebugPageallocMaxRanges,
        });
        DebugPageAlloc.AttachMachine(_allocator);
        PageOwner = new PageOwner.PageOwner(_allocator, Log, Parameters);
        return
        [
            .. DebugPageAlloc.AllocatorClients,
            PageOwner,
            Trace = new Trace.KmemTrace(PageOwner, Parameters),
        ];
    }

    /// <summary>
    /// Step 3, page_ext_init(): ask every client whether it needs space (invoke_need_callbacks()),
    /// give each online section its table from the buddy allocator, and follow memory hotplug
    /// (hotplug_memory_notifier(page_ext_callback)).
    /// </summary>
    private void InitPageExt(PageExtClient[] clients, IPageExtTableSource source)
    {
        if (!PageExtFeature.Supported && clients.Any(c => c.Need()))
        {
            Log.Print("page_ext: disabled for this process (PAGEEXT_SUPPORTED=0); clients ignored");
            clients = [];
        }

        PageExt = new PageExtensions(_memory, Log, source, clients);
        PageExt.AllocateTables();
        _hotplug.Register(PageExt);
    }

    /// <summary>
    /// Step 4, invoke_init_callbacks(): every page_ext client's init, then the hook table from the
    /// clients that came up, installed in the allocator once and for all (the static keys
    /// page_owner_inited and _debug_pagealloc_enabled being switched on).
    /// </summary>
    private void InitClients(IAllocatorClient[] clients)
    {
        PageExt.InvokeInitCallbacks();
        var table = new AllocatorHookTable.Builder();
        foreach (var client in clients)
        {
            table.Add(client);
        }

        Hooks = table.Build();
        _allocator.InstallHooks(Hooks);
    }

    /// <summary>
    /// Step 5, late init: what needs every client up. page_owner marks the pages allocated before it
    /// came up (the second half of init_page_owner()), and debug_pagealloc's reports name a page's
    /// last owner when page_owner is on. Last, the machine joins the PageExt counters, as vmstat and
    /// the zone counters are readable only once the machine is whole.
    /// </summary>
    private void LateInit()
    {
        PageOwner.InitEarlyAllocatedPages();
        if (PageOwner.IsEnabled && DebugPageAlloc is not null)
        {
            DebugPageAlloc.PageDetails = PageOwner;
        }

        _counters = Metrics.MachineCounters.Register(_allocator, _pageOwner.Depot, _debugPageAlloc);
    }
}
