using System.Text;
using PageExt.Buddy;
using PageExt.PageExtension;
using PageExt.Physical;
using PageExt.Stacks;
using PageExt.Zones;

namespace PageExt.PageOwner;

public sealed unsafe partial class PageOwner
{
    /// <summary>The owner record of a page, or null when page_owner never tracked it.</summary>
    public PageOwnerInfo? GetOwner(Pfn pfn)
    {
        using var operation = _allocator.EnterOperation();
        if (!IsEnabled)
        {
            return null;
        }

        using var reader = _pageExt!.EnterReader();
        var entry = EntryOf(pfn.Value, out ulong* flags);
        if (entry == null || (*flags & (ulong)PageExtFlags.Owner) == 0)
        {
            return null;
        }

        var e = *entry;
        return new PageOwnerInfo(
            (*flags & (ulong)PageExtFlags.OwnerAllocated) != 0,
            e.Order,
            (GfpFlags)e.GfpMask,
            e.Pid,
            e.Tgid,
            e.Comm.ToString(),
            e.TsNsec,
            new StackHandle(e.Handle),
            new StackHandle(e.FreeHandle),
            e.FreePid,
            e.FreeTgid,
            e.FreeTsNsec)
        {
            EarlyAllocated = e.Handle == Depot!.EarlyHandle.Value,
        };
    }

    /// <summary>
    /// __dump_page_owner(): the dmesg form that bad-page and poisoning reports append, telling who
    /// last allocated and who last freed the page.
    /// </summary>
    public string DescribePage(Pfn pfn)
    {
        using var operation = _allocator.EnterOperation();
        var text = new StringBuilder();
        if (!IsEnabled || _pageExt!.Lookup(pfn.Value) == null)
        {
            return "There is not page extension available.\n";
        }

        var info = GetOwner(pfn);
        if (info is null)
        {
            return "page_owner info is not present (never set?)\n";
        }

        text.Append("page_owner tracks the page as ").Append(info.Allocated ? "allocated" : "freed").Append('\n');
        text.Append("page last allocated via order ").Append(info.Order)
            .Append(", migratetype ").Append(MigrateTypes.Name(info.Gfp.MigrateType()))
            .Append(", gfp_mask ").Append(GfpFlagNames.FormatWithValue(info.Gfp))
            .Append(", pid ").Append(info.Pid).Append(", tgid ").Append(info.Tgid)
            .Append(" (").Append(info.Comm).Append("), ts ").Append(info.TimestampNs)
            .Append(", free_ts ").Append(info.FreeTimestampNs).Append('\n');
        AppendStack(text, info.Handle, "page_owner allocation stack trace missing");
        if (info.FreeHandle.IsValid)
        {
            text.Append("page last free pid ").Append(info.FreePid).Append(" tgid ").Append(info.FreeTgid).Append(" stack trace:\n");
        }

        // As __dump_page_owner: a free handle of 0 (never freed, or no depot) says so.
        AppendStack(text, info.FreeHandle, "page_owner free stack trace missing");

        return text.ToString();
    }

    void DebugPageAlloc.IPageDetailsProvider.AppendPageDetails(Pfn pfn, StringBuilder text) => text.Append(DescribePage(pfn));

    private void AppendStack(StringBuilder text, StackHandle handle, string missing)
    {
        if (!handle.IsValid)
        {
            text.Append(missing).Append('\n');
            return;
        }

        using var writer = new StringWriter(text, System.Globalization.CultureInfo.InvariantCulture);
        Depot!.Print(writer, handle);
    }
}
