using System.Runtime.CompilerServices;
using System.Text;
using PageExt.Pages;
using PageExt.Physical;

namespace PageExt.Buddy;

public sealed unsafe partial class PageAllocator
{
    /// <summary>
    /// free_page_is_bad() found the page in a state no correct free could leave it in: say which,
    /// and leave the page as it is, except for a wrong-order free, whose block is taken out of
    /// circulation because its owner has shown it does not know its size.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ReportBadFree(uint pfn, Page* page, int order)
    {
        bool everAllocated = (page->State & (byte)PageState.EverAllocated) != 0;
        var type = (PageType)page->Type;
        BadPageReason reason;
        string message;
        if ((page->Flags & (ulong)PageFlags.Reserved) != 0)
        {
            (reason, message) = (BadPageReason.Reserved, "free of a reserved page (never given to the buddy allocator)");
        }
        else if (type == PageType.Bad)
        {
            (reason, message) = (BadPageReason.AlreadyBad, "page was taken out of circulation by an earlier bad-page report");
        }
        else if (type is PageType.Buddy or PageType.PerCpu or PageType.Guard)
        {
            string where = type switch
            {
                PageType.Buddy => $"on the order-{page->Private} buddy free list",
                PageType.PerCpu => "on a per-CPU free list",
                _ => $"an order-{page->Private} guard page",
            };
            (reason, message) = everAllocated
                ? (BadPageReason.DoubleFree, $"double free: page is already free ({where})")
                : (BadPageReason.NeverAllocated, $"free of a page that was never allocated ({where})");
        }
        else if (page->HeadPfnPlusOne != 0)
        {
            uint head = page->HeadPfnPlusOne - 1;
            (reason, message) = (BadPageReason.TailPage,
                $"free of a tail page: it belongs to the order-{_vmemmap[head].AllocOrder} block allocated at pfn 0x{head:x}");
        }
        else if (FindCoveringHead(pfn) is uint coveringHead)
        {
            (reason, message) = (BadPageReason.TailPage,
                $"free of a tail page: it belongs to the order-{_vmemmap[coveringHead].AllocOrder} block allocated at pfn 0x{coveringHead:x}");
        }
        else if ((page->State & (byte)PageState.InUse) == 0)
        {
            (reason, message) = everAllocated
                ? (BadPageReason.DoubleFree, "double free: page is not allocated (it was freed before)")
                : (BadPageReason.NeverAllocated, "free of a page that was never allocated");
        }
        else
        {
            (reason, message) = (BadPageReason.WrongOrder,
                $"wrong order: block was allocated with order {page->AllocOrder}, freed with order {order}; taken out of circulation");
            var zone = ZoneOfOnline(pfn);
            page->Type = (byte)PageType.Bad;
            lock (zone.Lock)
            {
                zone.BadPages += 1L << page->AllocOrder;
            }
        }

        Report(new BadPageReport(new Pfn(pfn), reason, message, page->Flags, type, page->RefCount, order));
    }

    /// <summary>The head of an allocated plain (non-compound) block that covers a PFN, if any.</summary>
    private uint? FindCoveringHead(uint pfn)
    {
        for (int order = 1; order <= PageOrder.Max; order++)
        {
            uint candidate = pfn & ~((1u << order) - 1);
            if (candidate == pfn || !_memory.IsOnline(candidate))
            {
                continue;
            }

            Page* head = _vmemmap + candidate;
            if (head->HeadPfnPlusOne == 0 && (head->State & (byte)PageState.InUse) != 0 && head->AllocOrder >= order)
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>
    /// A free whose PFN or order cannot be checked against a descriptor. Out of line so that the
    /// message formatting (and the stack space it needs) stays off the inlined free path.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ReportBadFreeArguments(ulong pfn, int order)
    {
        ReportOutOfRange(pfn, order, (uint)order > PageOrder.Max
            ? $"order {order} is above MAX_PAGE_ORDER ({PageOrder.Max})"
            : $"pfn 0x{pfn:x} is outside the machine's online memory");
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ReportOutOfRange(ulong pfn, int order, string message) =>
        Report(new BadPageReport(new Pfn(pfn), BadPageReason.OutOfRange, message, 0, PageType.None, 0, order));

    /// <summary>bad_page(): print the kernel's report, count it, raise the event.</summary>
    private void Report(BadPageReport report)
    {
        Interlocked.Increment(ref _badPageCount);
        var text = new StringBuilder();
        text.Append("BUG: Bad page state in process ").Append(_currentTask()).Append("  pfn:")
            .Append(report.Pfn.Value.ToString("x5")).Append('\n');
        if (report.Reason != BadPageReason.OutOfRange)
        {
            text.Append("page: refcount:").Append(report.RefCount).Append(" mapcount:0 mapping:0000000000000000 index:0x0 pfn:")
                .Append(report.Pfn).Append('\n');
            text.Append("flags: ").Append(PageFlagNames.Format(report.Flags)).Append('\n');
        }

        text.Append("page dumped because: ").Append(report.Message);
        _log.Print(text.ToString());
        BadPage?.Invoke(report);
    }

    /// <summary>warn_alloc(): the allocation-failure line, with the mask decoded.</summary>
    private void WarnAlloc(GfpFlags gfp, int order) =>
        _log.Print($"{_currentTask()}: page allocation failure: order:{order}, mode:{GfpFlagNames.FormatWithValue(gfp)}, nodemask=(null)");
}
