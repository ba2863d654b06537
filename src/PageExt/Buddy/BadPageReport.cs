using PageExt.Pages;
using PageExt.Physical;

namespace PageExt.Buddy;

/// <summary>
/// One "BUG: Bad page state" report: what was attempted on which page, and the page's state at
/// the time. Delivered as an event and counted, as well as printed to the machine log.
/// </summary>
public sealed record BadPageReport(
    Pfn Pfn,
    BadPageReason Reason,
    string Message,
    ulong Flags,
    PageType Type,
    int RefCount,
    int Order)
{
    public override string ToString() => $"pfn {Pfn}: {Message}";
}
