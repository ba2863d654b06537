using System.Text;
using PageExt.Analysis.Dump;
using PageExt.Analysis.Inputs;
using PageExt.Analysis.Reports;
using PageExt.Analysis.Text;

namespace PageExt.Analysis.Stacks;

/// <summary>
/// Feeds a page_owner_stacks file to top, diff and report: its stacks become the stacks table, keyed
/// by their frames exactly as a dump's records are (<see cref="RecordLines.FrameIdentity"/>), so a
/// stacks file and a dump of the same machine name the same call paths. It has no records, processes
/// or allocator classes, so those tables stay empty.
/// </summary>
internal static class StackTotals
{
    public static DumpTotals Load(Stream input, TextDiagnostics diagnostics)
    {
        var totals = new DumpTotals();
        var stacks = StacksFile.PerStack(StacksFile.Read(input, diagnostics), diagnostics);
        var key = new List<byte>();
        foreach (var (frames, pages) in stacks)
        {
            key.Clear();
            foreach (string frame in frames)
            {
                key.AddRange(RecordLines.FrameIdentity(Encoding.UTF8.GetBytes(" " + frame)));
                key.Add((byte)'\n');
            }

            totals.AddStack(key.ToArray(), 0, pages);
            totals.AddTotals(0, pages);
        }

        return totals;
    }
}
