using System.Globalization;
using System.Text;
using PageExt.Buddy;
using PageExt.Zones;

namespace PageExt.Analysis.Trace;

/// <summary>
/// Writes the blocks a replay left held as /sys/kernel/debug/page_owner would list them (the v6.7+
/// record that PageExt's own dump and `pageext sort` use), in pfn order:
/// <code>
/// Page allocated via order %u, mask %#x(%pGg), pid %d, tgid %d (%s), ts %llu ns
/// PFN 0x%lx type %s Block %lu type %s Flags %#lx(%pGp)
///  frame
///
/// </code>
/// What a trace cannot say is filled in plainly: the page flags are <c>0x0()</c>; the page's type
/// comes from its gfp mask as page_owner derives it (the event's migratetype number when the names
/// are unknown); the block's type is the last one an extfrag event gave that pageblock, else the
/// page's own; tgid is the pid when the trace has no tgid column; ts is the trace's clock in ns.
/// Blocks keyed by page= (lines without pfn=) come first and have no PFN line.
/// </summary>
internal static class TraceDumpWriter
{
    /// <summary>Writes the records; returns how many.</summary>
    public static long Write(TextWriter output, TraceReplay replay)
    {
        var gfps = new TraceGfp?[replay.GfpTexts.Count];
        var comms = new string?[replay.Comms.Count];
        var stacks = new string?[replay.Stacks.Count];
        var text = new StringBuilder(1024);
        long records = 0;
        foreach (var (_, owner) in replay.HeldByPointer.OrderBy(p => p.Value.Sequence))
        {
            text.Clear();
            AppendHeader(text, owner, replay, gfps, comms);
            AppendStack(text, owner, replay, stacks);
            output.Write(text);
            records++;
        }

        var pfns = replay.HeldByPfn.Keys.ToArray();
        Array.Sort(pfns);
        foreach (ulong pfn in pfns)
        {
            var owner = replay.HeldByPfn[pfn];
            text.Clear();
            AppendHeader(text, owner, replay, gfps, comms);
            var gfp = Gfp(owner, replay, gfps);
            string pageType = gfp.Resolved
                ? MigrateTypes.Name(((GfpFlags)gfp.Mask).MigrateType())
                : TraceMigrateTypes.Name(Math.Max(owner.Migratetype, 0), replay.Before44);
            ulong block = pfn >> replay.PageblockOrder;
            string blockType = replay.BlockTypes.TryGetValue(block, out int known) ? TraceMigrateTypes.Name(known, replay.Before44) : pageType;
            text.Append("PFN 0x").Append(pfn.ToString("x", CultureInfo.InvariantCulture))
                .Append(" type ").Append(pageType)
                .Append(" Block ").Append(block)
                .Append(" type ").Append(blockType)
                .Append(" Flags 0x0()\n");
            AppendStack(text, owner, replay, stacks);
            output.Write(text);
            records++;
        }

        output.Flush();
        return records;
    }

    private static void AppendHeader(StringBuilder text, in TracedOwner owner, TraceReplay replay, TraceGfp?[] gfps, string?[] comms)
    {
        var gfp = Gfp(owner, replay, gfps);
        string comm = comms[owner.CommId] ??= Encoding.UTF8.GetString(replay.Comms.Get(owner.CommId));
        text.Append("Page allocated via order ").Append(owner.Order)
            .Append(", mask 0x").Append(gfp.Mask.ToString("x", CultureInfo.InvariantCulture)).Append('(').Append(gfp.Text).Append(')')
            .Append(", pid ").Append(owner.Pid)
            .Append(", tgid ").Append(owner.Tgid)
            .Append(" (").Append(comm).Append(')')
            .Append(", ts ").Append(owner.TimestampNs).Append(" ns\n");
    }

    private static void AppendStack(StringBuilder text, in TracedOwner owner, TraceReplay replay, string?[] stacks)
    {
        if (owner.StackId >= 0)
        {
            text.Append(stacks[owner.StackId] ??= Encoding.UTF8.GetString(replay.Stacks.Get(owner.StackId)));
        }

        text.Append('\n');
    }

    private static TraceGfp Gfp(in TracedOwner owner, TraceReplay replay, TraceGfp?[] gfps) =>
        owner.GfpId < 0 ? TraceGfp.Unknown : gfps[owner.GfpId] ??= TraceGfp.Parse(replay.GfpTexts.Get(owner.GfpId));
}
