using System.Text.Json;
using PageExt.Analysis.Dump;
using PageExt.Analysis.Reports;
using PageExt.Analysis.Sort;

namespace PageExt.Analysis.Pictures;

/// <summary>
/// The aggregated data a report embeds, written as one JSON object. Its size is bounded by the
/// limits below and by the number of pageblocks, never by the number of records:
/// at most <see cref="FlameTree.MaxNodes"/> flame graph frames, <see cref="MaxStacks"/> stacks,
/// <see cref="MaxProcesses"/> processes, and per pageblock its packed columns (<see cref="PackedColumn"/>:
/// about 18 bytes a block with its biggest owners: 2.1 MB for the 114,573 blocks of a generated 1 GiB dump).
/// </summary>
internal sealed class ReportData
{
    public const int MaxStacks = 200;

    public const int MaxProcesses = 500;

    /// <summary>Owners named per pageblock in the memory map's hover.</summary>
    public const int OwnersPerBlock = 3;

    public required PictureTotals Current { get; init; }

    /// <summary>The older dump of a diff; null for a single dump.</summary>
    public PictureTotals? Old { get; init; }

    public LiveMemory? Live { get; init; }

    /// <summary>Free blocks per order read from /proc/buddyinfo or /proc/pagetypeinfo, drawn as a live machine's are.</summary>
    public IReadOnlyList<LiveZone>? ProcZones { get; init; }

    /// <summary>The zones of a /proc/zoneinfo (a file's, or the live machine's view read back): free pages against the watermarks.</summary>
    public IReadOnlyList<Proc.ProcZoneInfo>? ZoneInfo { get; init; }

    public required string Title { get; init; }

    public int PageBytes { get; init; } = PageUnits.DefaultPageBytes;

    public void Write(Utf8JsonWriter json)
    {
        ArgumentNullException.ThrowIfNull(json);
        var names = new NameTable();
        json.WriteStartObject();
        json.WriteNumber("version", 1);
        json.WriteString("title", Title);
        json.WriteNumber("pageBytes", PageBytes);
        json.WriteBoolean("diff", Old is not null);
        json.WriteBoolean("live", Live is not null);
        json.WriteNumber("records", Current.Records);
        json.WriteNumber("pages", Current.Pages);
        json.WriteNumber("oldRecords", Old?.Records ?? 0);
        json.WriteNumber("oldPages", Old?.Pages ?? 0);

        json.WritePropertyName("flame");
        WriteFlame(json, FlameTree.Build(Current, Old), names, isRoot: true);
        WriteStacks(json, names);
        WriteTable(json, "processes", ProcessRows(), MaxProcesses);
        WriteTable(json, "allocators", Rows(Current.Allocators, Old?.Allocators), int.MaxValue);
        WriteTable(json, "orders", OrderRows(), int.MaxValue);
        WriteTable(json, "types", Rows(Current.PageTypes, Old?.PageTypes), int.MaxValue);
        WriteMap(json);
        WriteBuddy(json);
        WriteZoneInfo(json);

        json.WriteStartArray("names");
        foreach (string name in names.Names)
        {
            json.WriteStringValue(name);
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    /// <summary>[name, pages, records, oldPages, oldRecords, [children]], heaviest child first; the root's name is -1.</summary>
    private static void WriteFlame(Utf8JsonWriter json, FlameNode node, NameTable names, bool isRoot)
    {
        json.WriteStartArray();
        json.WriteNumberValue(isRoot ? -1 : names.Index(node.Name));
        json.WriteNumberValue(node.Pages);
        json.WriteNumberValue(node.Records);
        json.WriteNumberValue(node.OldPages);
        json.WriteNumberValue(node.OldRecords);
        json.WriteStartArray();
        foreach (var child in node.Children.Values.OrderByDescending(c => c.Weight).ThenBy(c => c.Name, StringComparer.Ordinal))
        {
            WriteFlame(json, child, names, isRoot: false);
        }

        json.WriteEndArray();
        json.WriteEndArray();
    }

    private sealed record Row(string Label, long Pages, long Records, long OldPages, long OldRecords)
    {
        public long Rank(bool diff) => diff ? Math.Abs(Pages - OldPages) : Pages;

        /// <summary>The four counts every table row carries, in the page's order.</summary>
        public void WriteCounts(Utf8JsonWriter json)
        {
            json.WriteNumberValue(Pages);
            json.WriteNumberValue(Records);
            json.WriteNumberValue(OldPages);
            json.WriteNumberValue(OldRecords);
        }
    }

    private static List<Row> Rows(GroupTable current, GroupTable? old)
    {
        var rows = new Dictionary<string, Row>(StringComparer.Ordinal);
        foreach (ref var group in current.Groups)
        {
            string label = RecordDetails.Decode(current.Arena.Get(group.Key));
            rows[label] = new Row(label, group.Pages, group.Count, 0, 0);
        }

        if (old is not null)
        {
            foreach (ref var group in old.Groups)
            {
                string label = RecordDetails.Decode(old.Arena.Get(group.Key));
                var row = rows.GetValueOrDefault(label) ?? new Row(label, 0, 0, 0, 0);
                rows[label] = row with { OldPages = group.Pages, OldRecords = group.Count };
            }
        }

        return [.. rows.Values];
    }

    /// <summary>
    /// The processes as top lists them (by tgid, named by the leader); in a diff, matched as diff
    /// matches them by default, by name, so the same program in two boots is one row.
    /// </summary>
    private List<Row> ProcessRows()
    {
        if (Old is null)
        {
            return [.. Current.Processes().Select(p => new Row(p.Label, p.Pages, p.Records, 0, 0))];
        }

        return [.. DiffReport.CompareProcesses(Old.Totals, Current.Totals, ProcessMatch.Name, keepUnchanged: true)
            .Select(e => new Row(e.Label, e.NewPages, e.NewRecords, e.OldPages, e.OldRecords))];
    }

    private List<Row> OrderRows()
    {
        var rows = new List<Row>();
        for (int order = 0; order < Current.OrderRecords.Length; order++)
        {
            long oldRecords = Old?.OrderRecords[order] ?? 0;
            if (Current.OrderRecords[order] == 0 && oldRecords == 0)
            {
                continue;
            }

            string label = order <= RecordOrder.MaxOrder ? order.ToString(System.Globalization.CultureInfo.InvariantCulture) : "unusable";
            rows.Add(new Row(label, Current.OrderPages[order], Current.OrderRecords[order], Old?.OrderPages[order] ?? 0, oldRecords));
        }

        return rows;
    }

    private void WriteTable(Utf8JsonWriter json, string name, List<Row> rows, int limit)
    {
        bool diff = Old is not null;
        json.WriteStartObject(name);
        json.WriteNumber("count", rows.Count);
        json.WriteStartArray("rows");
        foreach (var row in rows.OrderByDescending(r => r.Rank(diff)).ThenByDescending(r => r.Records).ThenBy(r => r.Label, StringComparer.Ordinal).Take(limit))
        {
            json.WriteStartArray();
            json.WriteStringValue(row.Label);
            row.WriteCounts(json);
            json.WriteEndArray();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    /// <summary>Stacks as [caller, [frames innermost first], pages, records, oldPages, oldRecords], names by index.</summary>
    private void WriteStacks(Utf8JsonWriter json, NameTable names)
    {
        var stacks = new Dictionary<string, (List<string> Functions, Row Row)>(StringComparer.Ordinal);
        Collect(Current.Stacks, isOld: false);
        if (Old is not null)
        {
            Collect(Old.Stacks, isOld: true);
        }

        bool diff = Old is not null;
        json.WriteStartObject("stacks");
        json.WriteNumber("count", stacks.Count);
        json.WriteStartArray("rows");
        foreach (var (functions, row) in stacks.Values.OrderByDescending(s => s.Row.Rank(diff)).ThenByDescending(s => s.Row.Records)
            .ThenBy(s => s.Row.Label, StringComparer.Ordinal).Take(MaxStacks))
        {
            json.WriteStartArray();
            json.WriteNumberValue(names.Index(StackLabel.Caller(functions)));
            json.WriteStartArray();
            for (int i = functions.Count - 1; i >= 0; i--)
            {
                json.WriteNumberValue(names.Index(functions[i]));
            }

            json.WriteEndArray();
            row.WriteCounts(json);
            json.WriteEndArray();
        }

        json.WriteEndArray();
        json.WriteEndObject();

        void Collect(GroupTable table, bool isOld)
        {
            foreach (ref var group in table.Groups)
            {
                var functions = FlameTree.Functions(table.Arena.Get(group.Key));
                if (functions.Count == 0)
                {
                    functions.Add(FlameTree.NoStack);
                }

                // Stacks are told apart by their functions, as in the flame graph: offsets change with every build.
                string key = string.Join('\n', functions);
                var (_, row) = stacks.GetValueOrDefault(key, (functions, new Row(key, 0, 0, 0, 0)));
                row = isOld
                    ? row with { OldPages = row.OldPages + group.Pages, OldRecords = row.OldRecords + group.Count }
                    : row with { Pages = row.Pages + group.Pages, Records = row.Records + group.Count };
                stacks[key] = (functions, row);
            }
        }
    }

    /// <summary>
    /// The memory map, as <see cref="PackedColumn"/>s of one value per pageblock in PFN order: "block"
    /// (number), "type" (index into "types", or -1), "used" (pages in use), "size" (pages in the
    /// block), "mixed" (1, 0, or -1 when unknown) and "zone" (index into "zones", or -1); then
    /// "ownerCount" per block and, for all blocks in turn, "owner" (index into "ownerNames") and
    /// "ownerPages" of its biggest owners.
    /// </summary>
    private void WriteMap(Utf8JsonWriter json)
    {
        int order = Live?.PageblockOrder ?? (Current.PageblockOrder >= 0 ? Current.PageblockOrder : 9);
        var types = new NameTable();
        var zones = new NameTable();
        var owners = new NameTable();

        // Blocks count their owners by the id top counts a process under; a thread group's label wins over a bare pid's.
        var ownerLabels = new Dictionary<int, string>();
        foreach (var process in Current.Processes().OrderByDescending(p => p.IdIsTgid))
        {
            ownerLabels.TryAdd(process.Id, process.Label);
        }

        PackedColumn blockColumn = new(), typeColumn = new(), usedColumn = new(), sizeColumn = new(), mixedColumn = new(), zoneColumn = new();
        PackedColumn ownerCountColumn = new(), ownerColumn = new(), ownerPagesColumn = new();
        if (Live is not null)
        {
            foreach (var block in Live.Pageblocks)
            {
                ulong number = block.StartPfn >> order;
                Current.Pageblocks.TryGetValue(number, out var tally);
                AddBlock(number, types.Index(block.Type), block.Pages - block.FreePages, block.Pages,
                    block.Mixed is { } mixed ? (mixed ? 1 : 0) : -1, zones.Index($"Node {block.Node}, zone {block.Zone}"), tally);
            }
        }
        else
        {
            foreach (var (number, tally) in Current.Pageblocks.OrderBy(p => p.Key))
            {
                AddBlock(number, tally.Type is null ? -1 : types.Index(tally.Type), tally.Pages, 1L << order, tally.Mixed ? 1 : 0, -1, tally);
            }
        }

        json.WriteStartObject("map");
        json.WriteNumber("pageblockOrder", order);
        json.WriteString("source", Live is not null ? "live" : "dump");
        json.WriteNumber("count", blockColumn.Count);
        json.WriteNumber("ownerEntries", ownerColumn.Count);
        json.WriteString("block", blockColumn.ToBase64());
        json.WriteString("type", typeColumn.ToBase64());
        json.WriteString("used", usedColumn.ToBase64());
        json.WriteString("size", sizeColumn.ToBase64());
        json.WriteString("mixed", mixedColumn.ToBase64());
        json.WriteString("zone", zoneColumn.ToBase64());
        json.WriteString("ownerCount", ownerCountColumn.ToBase64());
        json.WriteString("owner", ownerColumn.ToBase64());
        json.WriteString("ownerPages", ownerPagesColumn.ToBase64());
        WriteNames(json, "types", types);
        WriteNames(json, "zones", zones);
        WriteNames(json, "ownerNames", owners);
        json.WriteEndObject();

        void AddBlock(ulong number, int type, long used, long pages, int mixed, int zone, PageblockTally? tally)
        {
            blockColumn.Add((long)number);
            typeColumn.Add(type);
            usedColumn.Add(used);
            sizeColumn.Add(pages);
            mixedColumn.Add(mixed);
            zoneColumn.Add(zone);
            int count = 0;
            if (tally is not null)
            {
                foreach (var (owner, ownerPages) in tally.Owners.OrderByDescending(o => o.Value).ThenBy(o => o.Key).Take(OwnersPerBlock))
                {
                    ownerColumn.Add(owners.Index(ownerLabels.GetValueOrDefault(owner, owner.ToString(System.Globalization.CultureInfo.InvariantCulture))));
                    ownerPagesColumn.Add(ownerPages);
                    count++;
                }
            }

            ownerCountColumn.Add(count);
        }
    }

    private void WriteBuddy(Utf8JsonWriter json)
    {
        json.WriteStartArray("buddy");
        foreach (var zone in Live?.Zones ?? ProcZones ?? [])
        {
            json.WriteStartObject();
            json.WriteNumber("node", zone.Node);
            json.WriteString("zone", zone.Name);
            json.WriteStartArray("free");
            foreach (long blocks in zone.FreeBlocksPerOrder)
            {
                json.WriteNumberValue(blocks);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    /// <summary>
    /// "zoneinfo": per zone its watermarks and sizes (null where the kernel did not print them),
    /// protection, and its pagesets as [cpu, list, count, high, batch].
    /// </summary>
    private void WriteZoneInfo(Utf8JsonWriter json)
    {
        json.WriteStartArray("zoneinfo");
        foreach (var zone in ZoneInfo ?? Live?.ZoneInfo ?? [])
        {
            json.WriteStartObject();
            json.WriteNumber("node", zone.Node);
            json.WriteString("zone", zone.Name);
            Number("free", zone.Free);
            Number("boost", zone.Boost);
            Number("min", zone.Min);
            Number("low", zone.Low);
            Number("high", zone.High);
            Number("promo", zone.Promo);
            Number("spanned", zone.Spanned);
            Number("present", zone.Present);
            Number("managed", zone.Managed);
            Number("cma", zone.Cma);
            Number("startPfn", zone.StartPfn);
            if (zone.Unreclaimable is { } unreclaimable)
            {
                json.WriteBoolean("unreclaimable", unreclaimable);
            }
            else
            {
                json.WriteNull("unreclaimable");
            }

            json.WriteStartArray("protection");
            foreach (long pages in zone.Protection)
            {
                json.WriteNumberValue(pages);
            }

            json.WriteEndArray();
            json.WriteStartArray("pagesets");
            foreach (var set in zone.Pagesets)
            {
                json.WriteStartArray();
                json.WriteNumberValue(set.Cpu);
                json.WriteNumberValue(set.List);
                json.WriteNumberValue(set.Count);
                json.WriteNumberValue(set.High);
                json.WriteNumberValue(set.Batch);
                json.WriteEndArray();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        json.WriteEndArray();

        void Number(string name, long? value)
        {
            if (value is { } v)
            {
                json.WriteNumber(name, v);
            }
            else
            {
                json.WriteNull(name);
            }
        }
    }

    private static void WriteNames(Utf8JsonWriter json, string property, NameTable table)
    {
        json.WriteStartArray(property);
        foreach (string name in table.Names)
        {
            json.WriteStringValue(name);
        }

        json.WriteEndArray();
    }

    /// <summary>Strings written once and referred to by index, so a frame shared by many stacks costs its name once.</summary>
    private sealed class NameTable
    {
        private readonly Dictionary<string, int> _indices = new(StringComparer.Ordinal);

        public List<string> Names { get; } = [];

        public int Index(string name)
        {
            if (!_indices.TryGetValue(name, out int index))
            {
                index = Names.Count;
                _indices.Add(name, index);
                Names.Add(name);
            }

            return index;
        }
    }
}
