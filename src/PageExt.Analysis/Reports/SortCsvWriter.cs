using PageExt.Analysis.Sort;

namespace PageExt.Analysis.Reports;

/// <summary>The sorted groups as RFC 4180 CSV, one row per group; frames joined with ';', innermost first.</summary>
internal static class SortCsvWriter
{
    public static void Write(ByteWriter output, IEnumerable<SortedGroup> groups, SortOptions options)
    {
        output.Write("times,pages,allocator,pid,tgid,comm,ts_ns,free_ts_ns,order,gfp_mask,gfp_flags,migrate_reason,slab_cache_page,memcg,first_line,generation,stack\n");
        foreach (var group in groups)
        {
            var details = RecordDetails.Parse(group.Text.Span);
            string[] fields =
            [
                group.Count.ToString(),
                group.Pages.ToString(),
                string.Join(' ', SortTextWriter.AllocatorNames(group.Allocator)),
                group.Pid.ToString(),
                group.Tgid.ToString(),
                RecordDetails.Decode(group.Comm.Span),
                group.TimestampNs == ulong.MaxValue ? string.Empty : group.TimestampNs.ToString(),
                options.Compat == CompatMode.V6_6 ? group.FreeTimestampNs.ToString() : string.Empty,
                details.Order?.ToString() ?? string.Empty,
                details.GfpMask ?? string.Empty,
                string.Join('|', details.GfpFlags),
                details.MigrateReason ?? string.Empty,
                details.SlabCachePage ? "true" : "false",
                details.Memcg ?? string.Empty,
                group.FirstLine.ToString(),
                details.Generation,
                string.Join(';', details.Frames),
            ];
            output.Write(string.Join(',', fields.Select(ReportCsv.Field)));
            output.Write((byte)'\n');
        }
    }
}
