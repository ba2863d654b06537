using PageExt.Errors;
using PageExt.Pages;
using PageExt.Physical;

namespace PageExt.Buddy;

public sealed unsafe partial class PageAllocator
{
    /// <summary>
    /// split_page(): turn an allocated, non-compound block of 2^order pages into 2^order order-0
    /// pages, each freed on its own from now on. The debugging clients carry the owner to every
    /// piece.
    /// </summary>
    public void SplitPage(Pfn pfn, int order)
    {
        using var operation = EnterOperation();
        ulong p = pfn.Value;
        if (!_memory.IsOnline(p) || (uint)order > PageOrder.Max)
        {
            ThrowHelper.ThrowArgumentOutOfRange(nameof(pfn), $"split_page: pfn {pfn} order {order} is outside the machine's online memory");
        }

        Page* page = _vmemmap + p;
        if (!FreePageLooksAllocated(page, order))
        {
            ThrowHelper.ThrowInvalidOperation($"split_page: pfn {pfn} is not the head of an allocated order-{order} block");
        }

        if ((page->Flags & (ulong)PageFlags.Head) != 0)
        {
            ThrowHelper.ThrowInvalidOperation($"split_page: pfn {pfn} is a compound page (allocated with __GFP_COMP); compound pages are split as folios, not with split_page");
        }

        uint count = 1u << order;
        for (uint i = 0; i < count; i++)
        {
            Page* piece = page + i;
            piece->Flags = page->Flags;
            piece->HeadPfnPlusOne = 0;
            piece->RefCount = 1;
            piece->AllocOrder = 0;
            piece->MigrateType = page->MigrateType;
            piece->State = (byte)(PageState.InUse | PageState.EverAllocated);
        }

        if (AllocatorHookTable.Supported && _hooks is not null)
        {
            foreach (var hook in _hooks.Split)
            {
                hook.OnSplit(pfn, order, 0);
            }
        }
    }

    /// <summary>
    /// alloc_pages_exact(): the smallest block that holds <paramref name="bytes"/>, split, with the
    /// pages past the end given back at once. Free it with <see cref="FreePagesExact"/>.
    /// </summary>
    public bool TryAllocPagesExact(long bytes, GfpFlags gfp, out Pfn pfn, out int pages) =>
        TryAllocPagesExactCore(PreferredNode(), bytes, gfp, out pfn, out pages);

    /// <summary>alloc_pages_exact_nid(): as <see cref="TryAllocPagesExact"/>, trying <paramref name="node"/> first.</summary>
    public bool TryAllocPagesExactNode(int node, long bytes, GfpFlags gfp, out Pfn pfn, out int pages)
    {
        ThrowIfShutDown();
        if ((uint)node >= (uint)_nodes.Length)
        {
            ThrowHelper.ThrowArgumentOutOfRange(nameof(node), $"node {node} does not exist (the machine has {_nodes.Length})");
        }

        return TryAllocPagesExactCore(node, bytes, gfp, out pfn, out pages);
    }

    private bool TryAllocPagesExactCore(int node, long bytes, GfpFlags gfp, out Pfn pfn, out int pages)
    {
        ThrowIfShutDown();
        if (bytes <= 0 || bytes > (long)PageSize.Bytes << PageOrder.Max)
        {
            ThrowHelper.ThrowArgumentOutOfRange(nameof(bytes), $"alloc_pages_exact: {bytes} bytes is not in 1..{PageSize.Bytes << PageOrder.Max}");
        }

        pages = (int)((bytes + PageSize.Bytes - 1) >> PageSize.Shift);
        int order = GetOrder(pages);
        uint head = AllocPagesCore(gfp & ~GfpFlags.Comp, order, node);
        pfn = new Pfn(head);
        if (head == Page.NoPfn)
        {
            return false;
        }

        SplitPage(pfn, order);
        for (int i = pages; i < 1 << order; i++)
        {
            FreePages(pfn + (ulong)i, 0);
        }

        return true;
    }

    /// <summary>free_pages_exact(): give back what <see cref="TryAllocPagesExact"/> returned.</summary>
    public void FreePagesExact(Pfn pfn, int pages)
    {
        ThrowIfShutDown();
        for (int i = 0; i < pages; i++)
        {
            FreePages(pfn + (ulong)i, 0);
        }
    }

    /// <summary>get_order(): the smallest order whose block holds <paramref name="pages"/>.</summary>
    public static int GetOrder(long pages)
    {
        int order = 0;
        while ((1L << order) < pages)
        {
            order++;
        }

        return order;
    }
}
