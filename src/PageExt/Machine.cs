using PageExt.Boot;
using PageExt.Buddy;
using PageExt.DebugPageAlloc;
using PageExt.Hotplug;
using PageExt.Log;
using PageExt.PageExtension;
using PageExt.Physical;
using PageExt.Tasks;
using PageExt.Zones;

namespace PageExt;

/// <summary>
/// A booted machine: its physical memory, nodes and zones, the buddy allocator over them, memory
/// hotplug, and the debugging features its command line switched on. Pages it hands out are real
/// memory that callers read and write through <see cref="PageSpan"/> or <see cref="PageAddress"/>.
/// <para>
/// Lifecycle: <see cref="Boot(MachineDescription?)"/> runs the kernel's memory bring-up as five
/// named steps in Boot/Machine.Boot.cs (memory layout; zones and free lists; page_ext; the clients'
/// init and the allocator's hook table; late init); <see cref="Dispose"/> returns the arena to the
/// OS, after which no page of it may be touched. Many machines may exist in one process, each with
/// its own configuration.
/// </para>
/// </summary>
[AllocatorFrame]
public sealed partial class Machine : IDisposable
{
    private readonly PhysicalMemory _memory;
    private readonly Node[] _nodes;
    private readonly Zone[] _zones;
    private readonly PageAllocator _allocator;
    private readonly MemoryHotplug _hotplug;
    private PageOwner.PageOwner _pageOwner = null!;
    private DebugPageAllocFeature? _debugPageAlloc;
    private PageExtensions _pageExt = null!;
    private AllocatorHookTable _hooks = null!;
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
        _hotplug = new MemoryHotplug(_allocator, description.Cpus);
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

    /// <summary>The allocator's hook table: one slot per feature, which are on, read-only since boot.</summary>
    public AllocatorHookTable Hooks
    {
        get => Live(_hooks);
        private set => _hooks = value;
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
    /// The steps, in the kernel's order, are in Boot/Machine.Boot.cs.
    /// </summary>
    public static Machine Boot(MachineDescription? description = null) => Boot(description, []);

    /// <summary>
    /// Check that <see cref="Boot(MachineDescription?)"/> would accept the description, without
    /// booting: the command line parses, the memory layout can be built and every size on the
    /// command line fits it. These are the very checks boot runs first, so a description that
    /// passes boots unless the host refuses the memory. Throws <see cref="BootParameterException"/>
    /// or <see cref="MachineDescriptionException"/>, as boot would.
    /// </summary>
    public static void Validate(MachineDescription? description = null) => Plan(description ?? MachineDescription.Default);

    /// <summary>Free pages in all zones (NR_FREE_PAGES summed).</summary>
    public long FreePagesTotal() => Live(_zones).Sum(z => z.FreePages);

    public bool TryAllocPages(GfpFlags gfp, int order, out Pfn pfn) => _allocator.TryAllocPages(gfp, order, out pfn);

    public void FreePages(Pfn pfn, int order) => _allocator.FreePages(pfn, order);

    /// <inheritdoc cref="PageAllocator.ReleasePages"/>
    public void ReleasePages(ReadOnlySpan<Pfn> blocks) => _allocator.ReleasePages(blocks);

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
