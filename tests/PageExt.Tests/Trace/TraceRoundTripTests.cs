using System.Collections.Concurrent;
using PageExt.Buddy;
using PageExt.PageOwner;
using PageExt.Physical;

namespace PageExt.Tests.Trace;

/// <summary>
/// A run's trace, replayed, gives the live pages and owners of the run's own page_owner dump: the
/// same blocks at the same pfns with the same order, gfp mask, pid, task name and stack. Pages
/// allocated before the trace could start (page_ext's own tables, page_owner's early_stack) are
/// the only records the dump has and the trace cannot.
/// </summary>
public sealed class TraceRoundTripTests
{
    private static readonly GfpFlags[] s_masks = [GfpFlags.Kernel, GfpFlags.Kernel | GfpFlags.Zero, GfpFlags.HighUserMovable, GfpFlags.Kernel | GfpFlags.Comp, GfpFlags.NoWait];

    [Fact]
    public void A_multithreaded_runs_trace_replays_to_the_page_owner_dump()
    {
        using var m = TestMachines.Boot(cmdline: "page_owner=on trace_event=kmem trace_options=stacktrace trace_buf_size=16M");
        var handoff = new ConcurrentQueue<(Pfn Pfn, int Order)>();
        TestThreads.RunAndAssert(3, index => Work(m, index, handoff));

        var dump = new StringWriter { NewLine = "\n" };
        PageOwnerDump.Write(dump, m.PageOwner);
        var trace = new StringWriter { NewLine = "\n" };
        m.Trace.Write(trace);

        var owners = DumpText.Parse(dump.ToString()).Where(r => r.Value.Stack is not ["early_stack+0x0/0x0"]).ToList();
        var replayed = TraceText.Parse(trace.ToString()).Replay().ToList();

        Assert.True(owners.Count > 500, $"the workload left only {owners.Count} blocks");
        Assert.Equal(owners.Select(o => o.Key), replayed.Select(r => r.Key));
        foreach (var ((pfn, owner), (_, e)) in owners.Zip(replayed))
        {
            var expected = (owner.Order, owner.Gfp, owner.Pid, owner.Comm, string.Join('\n', owner.Stack));
            var actual = (e.Order, e.Gfp == "none" ? "" : e.Gfp, e.Pid, e.Comm, string.Join('\n', e.Stack));
            Assert.True(expected == actual, $"pfn 0x{pfn:x}: dump {expected}, trace {actual}");
        }
    }

    /// <summary>
    /// Allocations of orders 0-4 with several masks, frees in random order, split_page with one piece
    /// freed, alloc_pages_exact (which frees its tail at once), and blocks freed by another thread.
    /// </summary>
    private static void Work(Machine m, int index, ConcurrentQueue<(Pfn Pfn, int Order)> handoff)
    {
        Thread.CurrentThread.Name = $"trace-worker-{index}";
        var random = new Random(index + 1);
        var held = new List<(Pfn Pfn, int Order)>();
        for (int i = 0; i < 3000; i++)
        {
            int action = random.Next(10);
            if (action < 5 || held.Count == 0)
            {
                int order = random.Next(5);
                if (m.TryAllocPages(s_masks[random.Next(s_masks.Length)], order, out var pfn))
                {
                    held.Add((pfn, order));
                }
            }
            else if (action < 7)
            {
                int at = random.Next(held.Count);
                var (pfn, order) = held[at];
                held.RemoveAt(at);
                m.FreePages(pfn, order);
            }
            else if (action == 7)
            {
                int at = random.Next(held.Count);
                handoff.Enqueue(held[at]);
                held.RemoveAt(at);
            }
            else if (action == 8 && m.TryAllocPages(GfpFlags.Kernel, 2, out var block))
            {
                m.Allocator.SplitPage(block, 2);
                m.FreePages(block, 0);
                for (int piece = 1; piece < 4; piece++)
                {
                    held.Add((new Pfn(block.Value + (ulong)piece), 0));
                }
            }
            else if (m.Allocator.TryAllocPagesExact(3 * 4096, GfpFlags.Kernel, out var exact, out int pages))
            {
                for (int page = 0; page < pages; page++)
                {
                    held.Add((new Pfn(exact.Value + (ulong)page), 0));
                }
            }

            if (handoff.TryDequeue(out var theirs))
            {
                m.FreePages(theirs.Pfn, theirs.Order);
            }
        }
    }
}
