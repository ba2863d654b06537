namespace PageExt.Analysis.Reports;

/// <summary>Pages in human units. The dump does not say the page size; 4 KiB unless told otherwise.</summary>
internal static class PageUnits
{
    public const int DefaultPageBytes = 4096;

    public static string Mib(long pages, int pageBytes) => (pages * (double)pageBytes / (1 << 20)).ToString("F1");

    public static string SignedMib(long pages, int pageBytes) => (pages >= 0 ? "+" : "") + Mib(pages, pageBytes);

    public static string Human(long pages, int pageBytes)
    {
        double bytes = pages * (double)pageBytes;
        return Math.Abs(bytes) >= 1L << 30 ? $"{bytes / (1L << 30):F2} GiB" : $"{bytes / (1 << 20):F1} MiB";
    }
}
