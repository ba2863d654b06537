namespace PageExt.Buddy;

/// <summary>
/// A feature the allocator calls at fixed points of an allocation or a free: what the kernel wires
/// by hand into post_alloc_hook(), free_pages_prepare(), split_page(), expand() and
/// __free_one_page(), each call behind its feature's static key, and the kmem tracepoints of the
/// zone-locked paths. A client implements only the hook interfaces of the points it needs
/// (<see cref="IAllocPrepareHook"/>, <see cref="IAllocHook"/>, <see cref="IFreeHook"/>,
/// <see cref="ISplitHook"/>, <see cref="IGuardPageHook"/>, <see cref="IZoneLockedAllocHook"/>,
/// <see cref="IPcpuDrainHook"/>, <see cref="IExtfragHook"/>, <see cref="IFreeBatchedHook"/>) and is
/// registered once, at boot, in the machine's <see cref="AllocatorHookTable"/>.
/// <para>
/// Context for every hook unless it says otherwise: the allocating or freeing thread, no allocator
/// lock held, the pages exclusively the caller's. A hook may allocate managed memory only on a slow
/// path (a stack depot miss), must not take a zone lock and must not allocate or free pages.
/// </para>
/// </summary>
internal interface IAllocatorClient
{
    /// <summary>The feature's name, as its boot parameter and the kernel call it (page_owner, debug_guardpage).</summary>
    string Name { get; }

    /// <summary>Whether the boot switched the feature on; read once, when the hook table is built.</summary>
    bool IsEnabled { get; }
}
