using System.Text;
using PageExt.Analysis.Dump;
using PageExt.Analysis.Reports;

namespace PageExt.Analysis.Crash;

/// <summary>
/// `pageowner -t`'s per-stack totals as top, diff and report take a page_owner_stacks file: each
/// entry a stack keyed by its frames as a dump's records are, counting its "Allocated N times" as
/// records and its "Total memory" as pages.
/// </summary>
/// <remarks>
/// The plugin prints memory, not pages, rounded to two decimals of its unit, so the pages are the
/// bytes over <see cref="PageUnits.DefaultPageBytes"/>, rounded: 74.79MB is 19146 pages where the
/// vmcore held 19147 order-0 allocations. Its PID tables name only each stack's 20 biggest holders,
/// so processes are not rebuilt from them.
/// </remarks>
internal static class CrashStackTotals
{
    public static DumpTotals Load(CrashPageOwnerLog log)
    {
        ArgumentNullException.ThrowIfNull(log);
        var totals = new DumpTotals();
        var key = new List<byte>();
        foreach (var stack in log.Stacks)
        {
            key.Clear();
            foreach (string frame in stack.Frames)
            {
                key.AddRange(RecordLines.FrameIdentity(Encoding.UTF8.GetBytes(" " + frame)));
                key.Add((byte)'\n');
            }

            long pages = (stack.Bytes + (PageUnits.DefaultPageBytes / 2)) / PageUnits.DefaultPageBytes;
            totals.AddStack(key.ToArray(), stack.Times, pages);
            totals.AddTotals(stack.Times, pages);
        }

        return totals;
    }
}
