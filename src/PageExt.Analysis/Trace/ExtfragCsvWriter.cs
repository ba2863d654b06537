using System.Globalization;
using System.Text;

namespace PageExt.Analysis.Trace;

/// <summary>
/// The fallbacks of a trace as CSV (RFC 4180, one row per mm_page_alloc_extfrag event, in trace
/// order), written as they are read. block_type_before/after show the pageblock changing hands
/// when change_ownership is 1: that is the history of pageblock ownership over time.
/// </summary>
internal sealed class ExtfragCsvWriter : IExtfragSink
{
    public const string Header = "line,timestamp_ns,pfn,pageblock,alloc_order,fallback_order,pageblock_order,alloc_migratetype,fallback_migratetype,fragmenting,change_ownership,block_type_before,block_type_after";

    private readonly TextWriter _output;
    private readonly bool _before44;
    private readonly StringBuilder _row = new(160);

    public ExtfragCsvWriter(TextWriter output, bool before44)
    {
        _output = output;
        _before44 = before44;
        _output.Write(Header);
        _output.Write('\n');
    }

    public long Rows { get; private set; }

    public void Add(in ExtfragEvent fallback)
    {
        _row.Clear();
        _row.Append(fallback.Line).Append(',');
        if (fallback.HasTimestamp)
        {
            _row.Append(fallback.TimestampNs);
        }

        _row.Append(",0x").Append(fallback.Pfn.ToString("x", CultureInfo.InvariantCulture))
            .Append(',').Append(fallback.Pageblock)
            .Append(',').Append(fallback.AllocOrder)
            .Append(',').Append(fallback.FallbackOrder)
            .Append(',').Append(fallback.PageblockOrder)
            .Append(',').Append(TraceMigrateTypes.Name(fallback.AllocMigratetype, _before44))
            .Append(',').Append(TraceMigrateTypes.Name(fallback.FallbackMigratetype, _before44))
            .Append(',').Append(fallback.Fragmenting ? 1 : 0)
            .Append(',').Append(fallback.ChangeOwnership ? 1 : 0)
            .Append(',').Append(TraceMigrateTypes.Name(fallback.BlockTypeBefore, _before44))
            .Append(',').Append(TraceMigrateTypes.Name(fallback.BlockTypeAfter, _before44))
            .Append('\n');
        _output.Write(_row);
        Rows++;
    }
}
