using System.Text.Json;
using PageExt.Analysis.Sort;

namespace PageExt.Analysis.Reports;

/// <summary>
/// The sorted groups as JSON, every field broken out, in the same order as the text report. Counts
/// are 64-bit here (the text report wraps them as page_owner_sort's ints do).
/// </summary>
internal static class SortJsonWriter
{
    public static void Write(Stream output, IEnumerable<SortedGroup> groups, SortOptions options)
    {
        using var json = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        json.WriteStartObject();
        json.WriteString("compat", options.Compat.ToString());
        json.WriteString("cull", options.Cull.ToString());
        json.WriteStartArray("groups");
        foreach (var group in groups)
        {
            var details = RecordDetails.Parse(group.Text.Span);
            json.WriteStartObject();
            json.WriteNumber("times", group.Count);
            json.WriteNumber("pages", group.Pages);
            json.WriteStartArray("allocator");
            foreach (var name in SortTextWriter.AllocatorNames(group.Allocator))
            {
                json.WriteStringValue(name);
            }

            json.WriteEndArray();
            json.WriteNumber("pid", group.Pid);
            json.WriteNumber("tgid", group.Tgid);
            json.WriteString("comm", RecordDetails.Decode(group.Comm.Span));
            if (group.TimestampNs == ulong.MaxValue)
            {
                json.WriteNull("ts_ns");
            }
            else
            {
                json.WriteNumber("ts_ns", group.TimestampNs);
            }

            if (options.Compat == CompatMode.V6_6)
            {
                json.WriteNumber("free_ts_ns", group.FreeTimestampNs);
            }

            json.WriteNumber("first_line", group.FirstLine);
            json.WriteString("generation", details.Generation);
            if (details.Order is { } order)
            {
                json.WriteNumber("order", order);
            }
            else
            {
                json.WriteNull("order");
            }

            json.WriteString("gfp_mask", details.GfpMask);
            json.WriteStartArray("gfp_flags");
            foreach (var flag in details.GfpFlags)
            {
                json.WriteStringValue(flag);
            }

            json.WriteEndArray();
            json.WriteStartArray("stack");
            foreach (var frame in details.Frames)
            {
                json.WriteStringValue(frame);
            }

            json.WriteEndArray();
            json.WriteString("migrate_reason", details.MigrateReason);
            json.WriteBoolean("slab_cache_page", details.SlabCachePage);
            json.WriteString("memcg", details.Memcg);
            json.WriteString("text", RecordDetails.Decode(group.Text.Span));
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
        json.Flush();
        output.WriteByte((byte)'\n');
    }
}
