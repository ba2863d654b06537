using System.Text;

namespace PageExt.Analysis.Dump;

/// <summary>
/// The one rule for a record's order and the pages it counts, shared by every output (sort's text,
/// JSON, CSV and folded reports, top and diff), so that a record counts the same everywhere.
/// </summary>
/// <remarks>
/// A dump does not say which architecture wrote it, so the bound is the largest order any kernel can
/// record. The buddy allocator stops at MAX_PAGE_ORDER: 10 on x86; on arm64 10, 11 or 13 by page size
/// (ARCH_FORCE_MAX_ORDER), at most 15 at 4 KiB pages; never more than SECTION_SIZE_BITS - PAGE_SHIFT.
/// Kernels whose alloc_contig_range() takes __GFP_COMP (2024 on) also hand page_owner whole gigantic
/// folios (prep_new_page of the head) up to MAX_FOLIO_ORDER, which v6.18 sets to get_order(SZ_16G) on
/// 64-bit: order 22 at 4 KiB pages. An order above that, or one that is missing or not a number, comes
/// from no kernel. page_owner_sort counts an order it cannot read (above 64, or no digits) as 0 pages
/// and shifts a C int by any other, which for 31 to 64 is undefined behaviour (x86 shifts by the order
/// modulo 32, so order 31 gives -2^31 pages). Such a record is therefore kept, counted as 0 pages
/// everywhere, and reported with its line number.
/// </remarks>
internal static class RecordOrder
{
    /// <summary>MAX_FOLIO_ORDER at 4 KiB pages: the largest order a kernel records.</summary>
    public const int MaxOrder = 22;

    /// <summary>The order of a record's header when it is one a kernel can record.</summary>
    public static bool TryParse(ReadOnlySpan<byte> text, out int order)
    {
        var capture = KernelFields.FindOrder(text);
        if (capture.Found && KernelFields.TryParseDigits(text[capture.Start..capture.End], out ulong value) && value <= MaxOrder)
        {
            order = (int)value;
            return true;
        }

        order = -1;
        return false;
    }

    /// <summary>2^order, or 0 with a diagnostic at <paramref name="line"/> when the order is unusable.</summary>
    public static int Pages(ReadOnlySpan<byte> text, long line, List<DumpDiagnostic> diagnostics)
    {
        if (TryParse(text, out int order))
        {
            return 1 << order;
        }

        diagnostics.Add(Unusable(text, line));
        return 0;
    }

    private static DumpDiagnostic Unusable(ReadOnlySpan<byte> text, long line)
    {
        var capture = KernelFields.FindOrder(text);
        string what = !capture.Found || capture.Length == 0
            ? "the record has no order (\"order N,\")"
            : $"order {Encoding.UTF8.GetString(text[capture.Start..Math.Min(capture.End, capture.Start + 40)])}{(capture.Length > 40 ? "..." : "")} is above {MaxOrder}, the largest a kernel records (MAX_PAGE_ORDER is at most 15, MAX_FOLIO_ORDER 22)";
        return new DumpDiagnostic(line, DiagnosticKind.UnusableOrder, what + "; kept and counted as 0 pages in every report");
    }
}
