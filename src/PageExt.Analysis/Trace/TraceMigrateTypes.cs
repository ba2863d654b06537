using System.Globalization;

namespace PageExt.Analysis.Trace;

/// <summary>
/// Names of the migratetype numbers kmem events print. The numbers swapped in v4.4 ("mm,
/// page_alloc: Use masks and shifts when converting GFP flags to migrate types"), and a trace line
/// does not say which kernel printed it, so the reader takes the numbering as an option. 4 is CMA
/// when the kernel has CONFIG_CMA and Isolate otherwise; the CMA reading is taken, as on every
/// distribution kernel.
/// </summary>
internal static class TraceMigrateTypes
{
    /// <summary>v4.4 and later: the order of today's enum migratetype and of PageExt's MigrateType.</summary>
    private static readonly string[] s_modern = ["Unmovable", "Movable", "Reclaimable", "HighAtomic", "CMA", "Isolate"];

    /// <summary>2.6.32 to v4.3: MIGRATE_RECLAIMABLE before MIGRATE_MOVABLE, and MIGRATE_RESERVE.</summary>
    private static readonly string[] s_before44 = ["Unmovable", "Reclaimable", "Movable", "Reserve", "CMA", "Isolate"];

    /// <summary>The name page_owner and /proc/pagetypeinfo print for <paramref name="number"/>; the number itself when out of range.</summary>
    public static string Name(int number, bool before44)
    {
        var names = before44 ? s_before44 : s_modern;
        return (uint)number < (uint)names.Length ? names[number] : number.ToString(CultureInfo.InvariantCulture);
    }
}
