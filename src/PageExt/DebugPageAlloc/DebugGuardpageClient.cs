using PageExt.Buddy;
using PageExt.PageExtension;
using PageExt.Physical;

namespace PageExt.DebugPageAlloc;

/// <summary>
/// The seed's first page_ext client, debug_guardpage_ops, carrying all of debug_pagealloc=on:
/// unmapping free pages (kernel_map_pages, through the quarantine) and guard pages
/// (debug_guardpage_minorder, PAGE_EXT_DEBUG_GUARD). Deviation from the seed, whose client needed
/// page_ext only with minorder > 0: here unmapping lives in the same client, so it needs page_ext
/// (for the shared flags that fallback poisoning uses) whenever debug_pagealloc is on.
/// <para>
/// Hook order: registered before page_poisoning, so on allocation it makes the block accessible
/// before the poison is checked (debug_pagealloc_map_pages precedes kernel_unpoison_pages), and on
/// free, where hooks run in reverse, it protects the block after poisoning wrote it.
/// </para>
/// </summary>
internal sealed class DebugGuardpageClient : PageExtClient, IAllocPrepareHook, IFreeHook, IGuardPageHook
{
    private readonly DebugPageAllocFeature _feature;
    private ProtectedRangeQuarantine _quarantine = null!;
    private PagePoison _poison = null!;
    private PageExtensions _pageExt = null!;
    private PhysicalMemory _memory = null!;

    /// <summary>Set once a range fell back to poisoning with page_poison off; until then allocations skip the poison check.</summary>
    private volatile bool _fallbackPoisoned;

    public DebugGuardpageClient(DebugPageAllocFeature feature)
    {
        _feature = feature;
    }

    public override string Name => "debug_guardpage";

    public override int SizeBytes => 0;

    internal ProtectedRangeQuarantine Quarantine => _quarantine;

    public override bool Need() => _feature.Settings.DebugPagealloc;

    /// <summary>On when it got page_ext space at boot.</summary>
    public bool IsEnabled => HasSpace;

    /// <summary>debug_guardpage_minorder=, in effect only with debug_pagealloc on.</summary>
    public int GuardMinOrder => HasSpace ? _feature.Settings.GuardPageMinOrder : 0;

    /// <summary>init_debug_guardpage(): runs at boot before any other thread uses the machine.</summary>
    public override void Init(PageExtensions pageExt)
    {
        if (!HasSpace)
        {
            return;
        }

        var settings = _feature.Settings;
        var allocator = _feature.Attach(pageExt);
        _pageExt = pageExt;
        _memory = allocator.Memory;
        _poison = _feature.Poison;
        _quarantine = new ProtectedRangeQuarantine(_memory, pageExt.Log, settings.MaxProtectedRanges, Fallback);
        pageExt.Log.Print($"debug_pagealloc: enabled; freed blocks are protected, at most {settings.MaxProtectedRanges} ranges at once, older ones are poisoned instead");
        if (settings.GuardPageMinOrder > 0)
        {
            // The allocator takes the order from this client's slot in the hook table.
            pageExt.Log.Print($"debug_pagealloc: guard pages below order {settings.GuardPageMinOrder}");
        }

        if (settings.FaultReport)
        {
            FaultReporter.Register(_feature, pageExt.Log);
        }
    }

    /// <summary>debug_pagealloc_map_pages(); then, for ranges the quarantine gave up, the poison check.</summary>
    public void PrepareAlloc(Pfn pfn, int order, GfpFlags gfp)
    {
        _quarantine.Unprotect((uint)pfn.Value, order);
        if (_fallbackPoisoned && !_feature.Settings.PagePoison)
        {
            _poison.CheckPages((uint)pfn.Value, order);
        }
    }

    /// <summary>debug_pagealloc_unmap_pages(): protect the block as one range, or poison it when that is not possible.</summary>
    public void OnFree(Pfn pfn, int order)
    {
        if (!_quarantine.TryProtectFreed((uint)pfn.Value, order))
        {
            Fallback((uint)pfn.Value, order);
        }
    }

    /// <summary>set_page_guard(): PAGE_EXT_DEBUG_GUARD on the head, and the block stays (or becomes) protected.</summary>
    public unsafe void OnGuardSet(uint pfn, int order)
    {
        byte* entry = _pageExt.Lookup(pfn);
        if (entry != null)
        {
            PageExtensions.FlagsOf(entry) |= (ulong)PageExtFlags.DebugGuard;
        }

        _quarantine.ProtectGuard(pfn, order);
    }

    /// <summary>clear_page_guard(): the block merged into its freed buddy (and stays protected if it was) or went offline.</summary>
    public unsafe void OnGuardCleared(uint pfn, int order)
    {
        byte* entry = _pageExt.Lookup(pfn);
        if (entry != null)
        {
            PageExtensions.FlagsOf(entry) &= ~(ulong)PageExtFlags.DebugGuard;
        }
    }

    /// <summary>
    /// A free range that is not protected (quarantine full, no budget, or mprotect refused). With
    /// page_poison on it was poisoned when freed; otherwise poison it now so that a write to it is
    /// still caught when it is allocated. Memory offlined since it was freed is skipped.
    /// </summary>
    private void Fallback(uint pfn, int order)
    {
        if (_feature.Settings.PagePoison || !_memory.IsOnline(pfn))
        {
            return;
        }

        _fallbackPoisoned = true;
        _poison.PoisonPages(pfn, order);
    }
}
