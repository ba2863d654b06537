using PageExt.Buddy;
using PageExt.PageExtension;
using PageExt.Physical;

namespace PageExt.DebugPageAlloc;

/// <summary>
/// The seed's page_poisoning_ops, switched by page_poison=1: every freed block is filled with 0xaa
/// and flagged PAGE_EXT_DEBUG_POISON; every flagged page is checked when it is allocated again,
/// before it is zeroed. Registered after debug_guardpage, so the check runs after the block was
/// made accessible and the fill runs before it is protected.
/// </summary>
internal sealed class PagePoisoningClient : PageExtClient, IAllocPrepareHook, IFreeHook
{
    private readonly DebugPageAllocFeature _feature;
    private PagePoison _poison = null!;

    public PagePoisoningClient(DebugPageAllocFeature feature)
    {
        _feature = feature;
    }

    public override string Name => "page_poisoning";

    public override int SizeBytes => 0;

    public override bool Need() => _feature.Settings.PagePoison;

    /// <summary>On when it got page_ext space at boot.</summary>
    public bool IsEnabled => HasSpace;

    public override void Init(PageExtensions pageExt)
    {
        if (!HasSpace)
        {
            return;
        }

        _feature.Attach(pageExt);
        _poison = _feature.Poison;
    }

    /// <summary>kernel_unpoison_pages().</summary>
    public void PrepareAlloc(Pfn pfn, int order, GfpFlags gfp) => _poison.CheckPages((uint)pfn.Value, order);

    /// <summary>kernel_poison_pages().</summary>
    public void OnFree(Pfn pfn, int order) => _poison.PoisonPages((uint)pfn.Value, order);
}
