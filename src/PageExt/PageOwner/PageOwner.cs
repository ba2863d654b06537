using System.Diagnostics;
using System.Runtime.CompilerServices;
using PageExt.Boot;
using PageExt.Buddy;
using PageExt.Log;
using PageExt.PageExtension;
using PageExt.Physical;
using PageExt.Stacks;
using PageExt.Tasks;
using PageExt.Zones;

namespace PageExt.PageOwner;

/// <summary>
/// page_owner (mm/page_owner.c): who allocated every page. On each allocation it records the
/// order, gfp mask, pid, tgid, task name, time and a deduplicated stack for every page of the
/// block; on each free the free stack, pid, tgid and time, keeping the last owner readable. It
/// exists "to debug memory leak or to find a memory hogger".
/// <para>
/// Design: a page_ext client of <see cref="PageOwnerEntry.SizeBytes"/> bytes plus the shared flags
/// word (72 bytes per page, as the kernel). Stacks go to a <see cref="StackDepot"/> and are
/// captured by walking frame pointers where the platform allows (about 0.15 µs, no allocation on
/// a depot hit). Each stack used for an allocation is listed once, newest first, with a count of
/// the base pages it holds now, which is what page_owner_stacks prints.
/// </para>
/// <para>
/// Lifecycle: need() says yes when page_owner=on. Init() (after the tables exist, before other
/// threads use the machine) creates the depot and its sentinel stacks; boot's late init then marks
/// every page that was allocated before page_owner came up as early allocated, logging the count
/// per zone: the two halves of init_page_owner().
/// </para>
/// <para>
/// Context of the hooks: the allocating or freeing thread, no allocator lock held, the pages are
/// the caller's. They allocate nothing on a depot hit; a miss resolves names once (managed
/// allocation, about 10 µs), and a stack's first use takes a private lock to list it.
/// </para>
/// </summary>
public sealed unsafe partial class PageOwner : PageExtClient, IAllocHook, IFreeHook, ISplitHook, DebugPageAlloc.IPageDetailsProvider
{
    /// <summary>
    /// What a recorded stack is: the frames of the code that called the allocator's public entry
    /// point, under a fixed prefix that stands for the allocator. Everything from the entry point
    /// (the machine's and <see cref="PageAllocator"/>'s public methods) down to
    /// this hook is cut, because tiered compilation inlines it differently from tier to tier; the
    /// prefix is what v6.19 prints at the top of the same stacks, where post_alloc_hook and
    /// free_pages_prepare are inlined.
    /// </summary>
    internal static readonly StackOrigin AllocOrigin = new(1, ["get_page_from_freelist", "__alloc_frozen_pages_noprof"], IsAllocatorFrame);

    /// <summary>The free stack's origin: as <see cref="AllocOrigin"/>, under v6.19's first free frame.</summary>
    internal static readonly StackOrigin FreeOrigin = new(2, ["__free_frozen_pages"], IsAllocatorFrame);

    /// <summary>The origin of a trace stack under mm_page_pcpu_drain: whoever drained, under the function that fires it.</summary>
    internal static readonly StackOrigin DrainOrigin = new(3, ["free_pcppages_bulk"], IsAllocatorFrame);

    /// <summary>The origin of a trace stack under mm_page_free_batched: the batch's caller, under the function that fires it.</summary>
    internal static readonly StackOrigin BatchFreeOrigin = new(4, ["free_unref_folios"], IsAllocatorFrame);

    private readonly PageAllocator _allocator;
    private readonly KernelLog _log;
    private readonly bool _enabled;
    private readonly StackCaptureMode _mode;
    private readonly BootParameters _parameters;
    private readonly List<StackHandle> _stacks = [];
    private readonly Lock _stacksLock = new();
    private readonly long _bootTimestamp = Stopwatch.GetTimestamp();
    private PageExtensions? _pageExt;
    private long _earlyPages;

    internal PageOwner(PageAllocator allocator, KernelLog log, BootParameters parameters)
    {
        _allocator = allocator;
        _log = log;
        _parameters = parameters;
        _enabled = parameters.PageOwner && PageExtFeature.Supported;
        _mode = StackSaver.Resolve(parameters.PageOwnerStack);
    }

    public override string Name => "page_owner";

    public override int SizeBytes => PageOwnerEntry.SizeBytes;

    public override bool Need() => _enabled;

    /// <summary>True when page_owner=on and the tables exist (page_owner_inited).</summary>
    public bool IsEnabled => _pageExt is not null;

    /// <summary>The stack depot holding allocation and free stacks; null when page_owner is off.</summary>
    public StackDepot? Depot { get; private set; }

    /// <summary>How stacks are really captured (frame-pointer falls back to managed where unsupported).</summary>
    public StackCaptureMode StackMode => _mode;

    /// <summary>Pages found allocated before page_owner was initialised.</summary>
    public long EarlyAllocatedPages
    {
        get
        {
            _allocator.ThrowIfShutDown();
            return Interlocked.Read(ref _earlyPages);
        }
    }

    /// <summary>count_threshold of page_owner_stacks: entries with fewer live base pages are hidden.</summary>
    public long CountThreshold { get; set; }

    /// <summary>The allocator whose pages this page_owner describes.</summary>
    internal PageAllocator Allocator => _allocator;

    internal PageExtensions PageExt => _pageExt ?? throw new InvalidOperationException("page_owner is disabled (boot with page_owner=on)");

    public override void Init(PageExtensions pageExt)
    {
        if (!_enabled || !HasSpace)
        {
            _log.Print("page_owner is disabled");
            return;
        }

        _pageExt = pageExt;
        Depot = DepotFor(_parameters);
        ListStack(Depot.DummyHandle);
        ListStack(Depot.FailureHandle);
    }

    /// <summary>stack_depot_init(): a depot sized and switched by the boot command line (stack_depot_max_pools=, stack_depot_disable=).</summary>
    internal static StackDepot DepotFor(BootParameters parameters) =>
        new(parameters.StackDepotMaxPools, StackDepot.DefaultBucketCount, parameters.StackDepotDisable);

    /// <summary>The entry of a PFN, or null when it has no page_ext.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal PageOwnerEntry* EntryOf(ulong pfn, out ulong* flags)
    {
        byte* ext = _pageExt!.Lookup(pfn);
        flags = (ulong*)ext;
        return ext == null ? null : (PageOwnerEntry*)(ext + Offset);
    }

    /// <summary>local_clock(): ns since the machine booted.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal ulong Now() => (ulong)((Stopwatch.GetTimestamp() - _bootTimestamp) * s_nanosecondsPerTick);

    private static readonly double s_nanosecondsPerTick = 1e9 / Stopwatch.Frequency;

    [MethodImpl(MethodImplOptions.NoInlining)]
    void IAllocHook.OnAlloc(Pfn pfn, int order, GfpFlags gfp) => SetPageOwner(pfn.Value, order, gfp);

    [MethodImpl(MethodImplOptions.NoInlining)]
    void IFreeHook.OnFree(Pfn pfn, int order) => ResetPageOwner(pfn.Value, order);

    void ISplitHook.OnSplit(Pfn pfn, int oldOrder, int newOrder) => SplitPageOwner(pfn.Value, oldOrder, newOrder);

    /// <summary>__set_page_owner(): a full record on every page of the block, then count the stack.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void SetPageOwner(ulong pfn, int order, GfpFlags gfp)
    {
        var handle = StackSaver.Save(Depot!, AllocOrigin, _mode);
        ulong ts = Now();
        var comm = CurrentTask.CommAsBytes;
        int pid = CurrentTask.Pid, tgid = CurrentTask.Tgid;
        int entryBytes = _pageExt!.EntryBytes;
        byte* ext = _pageExt.Lookup(pfn);
        if (ext == null)
        {
            return;
        }

        int pages = 1 << order;
        for (int i = 0; i < pages; i++, ext += entryBytes)
        {
            var entry = (PageOwnerEntry*)(ext + Offset);
            entry->Order = (ushort)order;
            entry->LastMigrateReason = -1;
            entry->GfpMask = (uint)gfp;
            entry->Handle = handle.Value;
            entry->TsNsec = ts;
            entry->Comm = comm;
            entry->Pid = pid;
            entry->Tgid = tgid;
            *(ulong*)ext |= (ulong)(PageExtFlags.Owner | PageExtFlags.OwnerAllocated);
        }

        IncStackRecordCount(handle, pages);
    }

    /// <summary>__reset_page_owner(): free info on every page, last owner kept, stack uncounted.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ResetPageOwner(ulong pfn, int order)
    {
        byte* ext = _pageExt!.Lookup(pfn);
        if (ext == null)
        {
            return;
        }

        var freeHandle = StackSaver.Save(Depot!, FreeOrigin, _mode);
        ulong ts = Now();
        int pid = CurrentTask.Pid, tgid = CurrentTask.Tgid;
        uint allocHandle = ((PageOwnerEntry*)(ext + Offset))->Handle;
        int entryBytes = _pageExt.EntryBytes;
        int pages = 1 << order;
        for (int i = 0; i < pages; i++, ext += entryBytes)
        {
            var entry = (PageOwnerEntry*)(ext + Offset);
            *(ulong*)ext &= ~(ulong)PageExtFlags.OwnerAllocated;
            entry->FreeHandle = freeHandle.Value;
            entry->FreeTsNsec = ts;
            entry->FreePid = pid;
            entry->FreeTgid = tgid;
        }

        var handle = new StackHandle(allocHandle);
        if (handle.IsValid && handle != Depot!.EarlyHandle)
        {
            DecStackRecordCount(handle, pages);
        }
    }

    /// <summary>split_page_owner(): the pieces keep everything but take the new order.</summary>
    private void SplitPageOwner(ulong pfn, int oldOrder, int newOrder)
    {
        byte* ext = _pageExt!.Lookup(pfn);
        if (ext == null)
        {
            return;
        }

        for (int i = 0; i < 1 << oldOrder; i++, ext += _pageExt.EntryBytes)
        {
            ((PageOwnerEntry*)(ext + Offset))->Order = (ushort)newOrder;
        }
    }

    /// <summary>
    /// The allocator's own code, from its public entry points to the hooks: the types marked
    /// <see cref="AllocatorFrameAttribute"/> (the machine, the buddy allocator) and every allocator
    /// client (this one included). Judged by type, so it holds whichever of these methods the JIT
    /// inlined into which.
    /// </summary>
    private static bool IsAllocatorFrame(System.Reflection.MethodBase method) =>
        method.DeclaringType is { } type
        && (type == typeof(PageAllocator) || typeof(IAllocatorClient).IsAssignableFrom(type) || type.IsDefined(typeof(AllocatorFrameAttribute), inherit: false));

    /// <summary>
    /// inc_stack_record_count(): a stack's first use lists it (newest first); its counter is then
    /// 1 + the base pages it holds now, the kernel's refcount convention.
    /// </summary>
    private void IncStackRecordCount(StackHandle handle, int pages)
    {
        if (!handle.IsValid || handle == Depot!.EarlyHandle)
        {
            return;
        }

        if (Depot.GetCount(handle) == 0)
        {
            ListStack(handle);
        }

        Depot.AddCount(handle, pages);
    }

    private void DecStackRecordCount(StackHandle handle, int pages)
    {
        if (Depot!.GetCount(handle) <= pages)
        {
            // The kernel warns once when a stack's refcount would drop to 0: a free without its alloc.
            _log.Print($"page_owner: refcount for handle {handle} would drop to 0; not decremented");
            return;
        }

        Depot.AddCount(handle, -pages);
    }

    /// <summary>
    /// Put a stack on page_owner's list. Handle 0 has no stack record, so it is never listed: with
    /// stack_depot_disable=on every handle, the sentinels included, is 0 (the depot stores nothing,
    /// so registering the failure stack gives 0 and page_owner records that), and the list stays empty.
    /// </summary>
    private void ListStack(StackHandle handle)
    {
        if (!handle.IsValid)
        {
            return;
        }

        lock (_stacksLock)
        {
            if (Depot!.GetCount(handle) == 0)
            {
                _stacks.Add(handle);
                Depot.AddCount(handle, 1);
            }
        }
    }

    /// <summary>The stacks used for allocations, newest first (the order page_owner_stacks prints).</summary>
    public IReadOnlyList<StackHandle> Stacks
    {
        get
        {
            _allocator.ThrowIfShutDown();
            lock (_stacksLock)
            {
                var copy = _stacks.ToArray();
                Array.Reverse(copy);
                return copy;
            }
        }
    }

    /// <summary>Live base pages allocated from a stack (stack record refcount - 1).</summary>
    public long LiveBasePages(StackHandle handle)
    {
        _allocator.ThrowIfShutDown();
        return Math.Max(Depot!.GetCount(handle) - 1, 0);
    }

    /// <summary>
    /// init_early_allocated_pages(), boot's late init: every page allocated before page_owner came up
    /// gets the early handle, order 0, gfp 0 and the current task; reserved pages and free blocks
    /// are skipped. Does nothing when page_owner is off.
    /// </summary>
    internal void InitEarlyAllocatedPages()
    {
        if (!IsEnabled)
        {
            return;
        }

        var comm = CurrentTask.CommAsBytes;
        int pid = CurrentTask.Pid, tgid = CurrentTask.Tgid;
        uint early = Depot!.EarlyHandle.Value;
        foreach (var zone in _allocator.Zones.Where(z => z.IsPopulated))
        {
            long count = 0;
            for (var walk = _allocator.WalkPfns(zone.StartPfn.Value, zone.EndPfn.Value, zone); walk.MoveNext();)
            {
                if (walk.IsFree || walk.IsReserved)
                {
                    continue;
                }

                ulong pfn = walk.Pfn;
                var entry = EntryOf(pfn, out ulong* flags);
                if (entry == null || (*flags & (ulong)PageExtFlags.Owner) != 0)
                {
                    continue;
                }

                entry->Order = 0;
                entry->LastMigrateReason = -1;
                entry->GfpMask = 0;
                entry->Handle = early;
                entry->TsNsec = Now();
                entry->Comm = comm;
                entry->Pid = pid;
                entry->Tgid = tgid;
                *flags |= (ulong)(PageExtFlags.Owner | PageExtFlags.OwnerAllocated);
                count++;
            }

            Interlocked.Add(ref _earlyPages, count);
            _log.Print($"Node {zone.Node}, zone {zone.Name,8}: page owner found early allocated {count} pages");
        }
    }

    /// <summary>gfp_migratetype() of a recorded mask.</summary>
    internal static MigrateType GfpMigrateType(uint gfp) => ((GfpFlags)gfp).MigrateType();
}
