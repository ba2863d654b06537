using System.Collections.ObjectModel;

namespace PageExt.Buddy;

/// <summary>
/// The one way a feature reaches the buddy allocator: a table built once at boot, with a slot and an
/// enabled flag per feature, read-only from then on. It stands for what the kernel writes out by
/// hand in post_alloc_hook(), free_pages_prepare() and split_page(), one call per feature, each
/// behind its own static key (page_owner_inited, _debug_pagealloc_enabled, ...).
/// <para>
/// Design: <see cref="Builder"/> takes the features in the order the kernel calls them on
/// allocation and asks each one once whether it is on. <see cref="Builder.Build"/> then sorts the
/// enabled ones into one array per hook point, holding only the clients that implement that
/// point's interface, so the allocator never calls a method a feature does not need, and loops over
/// arrays instead of asking every client at every point.
/// </para>
/// <para>
/// Zero cost when off: the allocator keeps no table at all when no slot is enabled, and tests
/// <c><see cref="Supported"/> &amp;&amp; table is not null</c>. With the process-wide switch off the
/// tier-1 JIT folds that test to false and the hook calls vanish from the machine code; with it on
/// and every feature off the test is one predictable branch on the slow paths, and none on the
/// cached fast paths, whose drain check covers it (ThreadPageCache.PageSet.FastPathBlocked).
/// </para>
/// <para>
/// Concurrency model: immutable once built; the allocator installs it before any other thread uses
/// the machine, so readers need no synchronisation.
/// </para>
/// </summary>
public sealed class AllocatorHookTable
{
    /// <summary>
    /// The process-wide switch for every allocator client (the kernel's CONFIG_PAGE_EXTENSION and
    /// the features behind it). Read once; off with the AppContext switch
    /// <c>PageExt.PageExtSupported=false</c> or the environment variable <c>PAGEEXT_SUPPORTED=0</c>.
    /// </summary>
    public static readonly bool Supported = ReadSwitch();

    private readonly ReadOnlyCollection<AllocatorHookSlot> _slots;

    private AllocatorHookTable(List<AllocatorHookSlot> slots)
    {
        _slots = slots.AsReadOnly();
        var on = slots.Where(s => s.Enabled).Select(s => s.Client).ToArray();
        AllocPrepare = [.. on.OfType<IAllocPrepareHook>()];
        Alloc = [.. on.OfType<IAllocHook>()];
        Free = [.. on.OfType<IFreeHook>().Reverse()];
        Split = [.. on.OfType<ISplitHook>()];
        AllocZoneLocked = [.. on.OfType<IZoneLockedAllocHook>()];
        PcpuDrain = [.. on.OfType<IPcpuDrainHook>()];
        Extfrag = [.. on.OfType<IExtfragHook>()];
        FreeBatched = [.. on.OfType<IFreeBatchedHook>()];
        var guards = on.OfType<IGuardPageHook>().Where(g => g.GuardMinOrder > 0).ToArray();
        if (guards.Length > 1)
        {
            throw new InvalidOperationException($"guard pages have one owner; {string.Join(" and ", guards.Select(g => g.Name))} both ask for them");
        }

        Guard = guards.FirstOrDefault();
        AnyEnabled = AllocPrepare.Length + Alloc.Length + Free.Length + Split.Length
            + AllocZoneLocked.Length + PcpuDrain.Length + Extfrag.Length + FreeBatched.Length > 0 || Guard is not null;
    }

    /// <summary>Every registered feature, enabled or not, in the order the allocator calls them on allocation.</summary>
    public IReadOnlyList<AllocatorHookSlot> Slots => _slots;

    /// <summary>True when some enabled feature has a hook; false means the allocator runs with no table.</summary>
    public bool AnyEnabled { get; }

    /// <summary>The guard-page order in effect (0: guard pages off).</summary>
    public int GuardMinOrder => Guard?.GuardMinOrder ?? 0;

    /// <summary>post_alloc_hook() before zeroing, in registration order.</summary>
    internal IAllocPrepareHook[] AllocPrepare { get; }

    /// <summary>post_alloc_hook() after zeroing, in registration order.</summary>
    internal IAllocHook[] Alloc { get; }

    /// <summary>free_pages_prepare(), already in call order: the reverse of registration.</summary>
    internal IFreeHook[] Free { get; }

    internal ISplitHook[] Split { get; }

    /// <summary>__rmqueue_smallest() under the zone lock, in registration order.</summary>
    internal IZoneLockedAllocHook[] AllocZoneLocked { get; }

    /// <summary>free_pcppages_bulk() under the zone lock, in registration order.</summary>
    internal IPcpuDrainHook[] PcpuDrain { get; }

    /// <summary>The migrate-type fallback under the zone lock, in registration order.</summary>
    internal IExtfragHook[] Extfrag { get; }

    /// <summary>free_unref_folios(), per block parked, in registration order.</summary>
    internal IFreeBatchedHook[] FreeBatched { get; }

    internal IGuardPageHook? Guard { get; }

    /// <summary>True when the feature named <paramref name="name"/> is registered and enabled.</summary>
    public bool IsEnabled(string name) => _slots.Any(s => s.Enabled && s.Name == name);

    /// <summary>The enabled feature of type <typeparamref name="T"/>, or null: how a machine finds a client it did not keep.</summary>
    internal T? Client<T>()
        where T : class => _slots.Where(s => s.Enabled).Select(s => s.Client).OfType<T>().FirstOrDefault();

    private static bool ReadSwitch()
    {
        if (AppContext.TryGetSwitch("PageExt.PageExtSupported", out bool enabled))
        {
            return enabled;
        }

        return Environment.GetEnvironmentVariable("PAGEEXT_SUPPORTED") is not ("0" or "false" or "off");
    }

    /// <summary>Collects the slots at boot; <see cref="Build"/> freezes them.</summary>
    internal sealed class Builder
    {
        private readonly List<AllocatorHookSlot> _slots = [];
        private bool _built;

        /// <summary>
        /// Register a feature, in the order the allocator calls it on allocation. Its
        /// <see cref="IAllocatorClient.IsEnabled"/> is read now, once; with the process-wide switch
        /// off every slot is disabled.
        /// </summary>
        public Builder Add(IAllocatorClient client)
        {
            ArgumentNullException.ThrowIfNull(client);
            if (_built)
            {
                throw new InvalidOperationException("the hook table is built; features are registered at boot, before it");
            }

            if (_slots.Any(s => s.Client == client || s.Name == client.Name))
            {
                throw new InvalidOperationException($"{client.Name} is already in the hook table");
            }

            _slots.Add(new AllocatorHookSlot(client, Supported && client.IsEnabled));
            return this;
        }

        public AllocatorHookTable Build()
        {
            _built = true;
            return new AllocatorHookTable(_slots);
        }
    }
}
