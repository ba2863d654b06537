using System.Globalization;
using System.Text;
using PageExt.Buddy;
using PageExt.Log;
using PageExt.PageExtension;
using PageExt.Pages;
using PageExt.Physical;

namespace PageExt.DebugPageAlloc;

/// <summary>
/// debug_pagealloc and page poisoning for one machine (mm/debug_page_alloc.c, mm/page_poison.c and
/// the 2014 seed series that made them boot-time switches on top of page_ext).
/// <para>
/// The problem: a use-after-free of a page writes into memory the allocator has handed, or will
/// hand, to someone else, and the damage shows up far from its cause. Three boot-time modes catch
/// it close to the cause, with real memory effects:
/// page_poison=1 fills every freed page with 0xaa and checks it when it is allocated again (a
/// write after free is reported with the corrupted bytes); debug_pagealloc=on makes free pages
/// inaccessible, so a read or write after free faults at the instruction (bounded by a quarantine
/// of protected ranges, beyond which pages are poisoned instead); debug_guardpage_minorder=N keeps
/// small split-off buddies out of circulation as guard blocks next to allocations.
/// </para>
/// <para>
/// Lifecycle: <see cref="Create(DebugPageAllocSettings)"/> builds the page_ext clients for the
/// settings; the machine's boot asks them Need() and Init() with the other clients and registers
/// them in the allocator's hook table, debug_guardpage before page_poisoning (the kernel's order
/// on allocation; the free side runs in reverse). With every mode off no client needs page_ext,
/// both slots are disabled, and the allocator's single hook gate stays false: nothing of this runs.
/// One feature object serves one machine.
/// </para>
/// <para>
/// Concurrency model: the hooks run on allocating and freeing threads with no allocator lock held,
/// on pages those threads own; the quarantine has its own lock; reports are rate limited and
/// raised on the thread that found the problem.
/// </para>
/// </summary>
public sealed class DebugPageAllocFeature
{
    private readonly DebugGuardpageClient _guardpage;
    private readonly PagePoisoningClient _poisoning;
    private readonly PageExtClient[] _clients;
    private readonly TimeProvider _clock;
    private PageExtensions? _pageExt;
    private PageAllocator? _allocator;
    private PagePoison? _poison;
    private volatile IPageDetailsProvider? _pageDetails;
    private long _corruptions;

    private DebugPageAllocFeature(DebugPageAllocSettings settings, TimeProvider clock)
    {
        Settings = settings;
        _clock = clock;
        _guardpage = new DebugGuardpageClient(this);
        _poisoning = new PagePoisoningClient(this);
        _clients = [_guardpage, _poisoning];
    }

    /// <summary>Raised for every corrupted page found, printed or rate limited, on the allocating thread.</summary>
    public event Action<PageCorruptionReport>? Corruption;

    public DebugPageAllocSettings Settings { get; }

    /// <summary>The page_ext clients in the seed's order (debug_guardpage, page_poisoning).</summary>
    public IReadOnlyList<PageExtClient> Clients => _clients;

    /// <summary>The same clients as the allocator's hook table takes them: debug_guardpage before page_poisoning.</summary>
    internal IAllocatorClient[] AllocatorClients => [_guardpage, _poisoning];

    /// <summary>debug_pagealloc is on for the machine (its client got page_ext space at boot).</summary>
    public bool DebugPageallocEnabled => _guardpage.HasSpace;

    /// <summary>Page poisoning is on for the machine.</summary>
    public bool PagePoisonEnabled => _poisoning.HasSpace;

    /// <summary>The guard-page order in effect (0 when guard pages are off).</summary>
    public int GuardPageMinOrder => DebugPageallocEnabled ? Settings.GuardPageMinOrder : 0;

    /// <summary>Corrupted pages found since boot (every one, whether printed or rate limited).</summary>
    public long CorruptionCount
    {
        get
        {
            _allocator?.ThrowIfShutDown();
            return Interlocked.Read(ref _corruptions);
        }
    }

    /// <summary><see cref="CorruptionCount"/>, also after shutdown (for the machine's last counter values).</summary>
    internal long Corruptions => Interlocked.Read(ref _corruptions);

    /// <summary>The quarantine's counters; all zero when debug_pagealloc is off.</summary>
    public QuarantineStatistics Quarantine
    {
        get
        {
            _allocator?.ThrowIfShutDown();
            return DebugPageallocEnabled ? _guardpage.Quarantine.Statistics : new QuarantineStatistics(0, 0, 0, 0, 0, Settings.MaxProtectedRanges);
        }
    }

    /// <summary>
    /// Adds lines to every report about the page (page_owner's last owner and free stack). Set it
    /// at boot, before the machine is used; it is read on every report.
    /// </summary>
    public IPageDetailsProvider? PageDetails
    {
        get => _pageDetails;
        set => _pageDetails = value;
    }

    internal PagePoison Poison => _poison ?? throw new InvalidOperationException("debug_pagealloc is not attached to a machine");

    internal ProtectedRangeQuarantine? ProtectedRanges => DebugPageallocEnabled ? _guardpage.Quarantine : null;

    /// <summary>The feature for these settings; its <see cref="Clients"/> go to the machine's boot.</summary>
    public static DebugPageAllocFeature Create(DebugPageAllocSettings settings) => Create(settings, TimeProvider.System);

    /// <summary>As <see cref="Create(DebugPageAllocSettings)"/>, with the clock the report rate limit reads.</summary>
    internal static DebugPageAllocFeature Create(DebugPageAllocSettings settings, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(clock);
        return new DebugPageAllocFeature(settings, clock);
    }

    /// <summary>
    /// The feature's invariants: guard flags in page_ext match the guard blocks of the buddy, and
    /// the protected ranges are consistent, bounded and hold only memory that is not allocated.
    /// Run it beside <see cref="PageAllocator.CheckInvariants"/>, with the machine quiescent.
    /// </summary>
    public unsafe IReadOnlyList<string> CheckInvariants()
    {
        var problems = new List<string>();
        if (_allocator is null || _pageExt is null)
        {
            return problems;
        }

        using var operation = _allocator.EnterOperation();
        ProtectedRanges?.Check(_allocator, problems);
        using var reader = _pageExt.EnterReader();
        foreach (var zone in _allocator.Zones.Where(z => z.IsPopulated))
        {
            for (var walk = _allocator.WalkPfns(zone.StartPfn.Value, zone.EndPfn.Value, zone); walk.MoveNext();)
            {
                bool guardHead = walk.Type == PageType.Guard;
                CheckGuardFlag(walk.Pfn, guardHead, problems);
                if (walk.IsFree)
                {
                    // Only a guard block's head carries the flag; no page inside a free block does.
                    ulong end = walk.Pfn + (1UL << walk.FreeOrder);
                    for (ulong pfn = walk.Pfn + 1; pfn < end; pfn++)
                    {
                        CheckGuardFlag(pfn, guardHead: false, problems);
                    }

                    continue;
                }

                byte* entry = _pageExt.Lookup(walk.Pfn);
                if (entry != null && (PageExtensions.FlagsOf(entry) & (ulong)PageExtFlags.DebugPoison) != 0 && walk.IsInUse)
                {
                    problems.Add($"debug_pagealloc: pfn 0x{walk.Pfn:x} is allocated but still flagged PAGE_EXT_DEBUG_POISON");
                }
            }
        }

        return problems;
    }

    /// <summary>PAGE_EXT_DEBUG_GUARD is set on exactly the heads of guard blocks.</summary>
    private unsafe void CheckGuardFlag(ulong pfn, bool guardHead, List<string> problems)
    {
        byte* entry = _pageExt!.Lookup(pfn);
        if (entry == null)
        {
            return;
        }

        bool flagged = (PageExtensions.FlagsOf(entry) & (ulong)PageExtFlags.DebugGuard) != 0;
        if (flagged != guardHead)
        {
            problems.Add($"debug_pagealloc: pfn 0x{pfn:x} is {(guardHead ? "a guard block" : "not a guard block")} but PAGE_EXT_DEBUG_GUARD is {(flagged ? "set" : "clear")}");
        }
    }

    /// <summary>
    /// The kernel-style report for an access at <paramref name="address"/>, if it lies in a page of
    /// this machine that debug_pagealloc protects: "BUG: unable to handle page fault for address",
    /// the page's dump and the page-details lines. Reads only.
    /// </summary>
    public bool TryDescribeFault(nint address, out string report)
    {
        report = string.Empty;
        if (_allocator is null)
        {
            return false;
        }

        using var operation = _allocator.EnterOperation();
        var quarantine = ProtectedRanges;
        if (quarantine is null || !_allocator.TryAddressToPfn(address, out var pfn)
            || !quarantine.TryFind((uint)pfn.Value, out uint head, out int order))
        {
            return false;
        }

        var page = _allocator.GetPage(new Pfn(head));
        string what = page.PageType == PageType.Guard
            ? $"a guard page, order-{order} block at pfn 0x{head:x}"
            : $"a free page protected by debug_pagealloc, order-{order} range at pfn 0x{head:x}";
        var text = new StringBuilder();
        text.Append("BUG: unable to handle page fault for address: 0x").Append(((ulong)address).ToString("x16", CultureInfo.InvariantCulture))
            .Append(" (pfn ").Append(pfn.ToString()).Append(", ").Append(what).Append(")\n");
        text.Append("#PF: not-present page\n");
        PageDump.AppendPage(text, _allocator, pfn, "debug_pagealloc: access to a free page");
        PageDetails?.AppendPageDetails(pfn, text);
        report = text.ToString().TrimEnd('\n');
        return true;
    }

    /// <summary>
    /// The machine being booted, given by its boot before page_ext comes up: what the feature reads
    /// (pages, addresses) when it checks and reports. It changes the allocator only through its
    /// clients' slots in the hook table.
    /// </summary>
    internal void AttachMachine(PageAllocator allocator)
    {
        if (_allocator is not null && _allocator != allocator)
        {
            throw new InvalidOperationException("a DebugPageAllocFeature serves one machine; create one per boot");
        }

        _allocator = allocator;
    }

    /// <summary>Bind to the machine's page_ext; called from each enabled client's Init.</summary>
    internal PageAllocator Attach(PageExtensions pageExt)
    {
        if (_pageExt is not null)
        {
            if (_pageExt != pageExt)
            {
                throw new InvalidOperationException("a DebugPageAllocFeature serves one machine; create one per boot");
            }

            return _allocator!;
        }

        _ = _allocator ?? throw new InvalidOperationException("debug_pagealloc needs the machine's allocator before page_ext init");
        _pageExt = pageExt;
        _poison = new PagePoison(this, pageExt, _allocator, pageExt.Log, _clock);
        return _allocator;
    }

    internal void OnCorruption(PageCorruptionReport report)
    {
        Interlocked.Increment(ref _corruptions);
        Corruption?.Invoke(report);
    }
}
