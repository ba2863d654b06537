using System.Diagnostics;
using System.Runtime.CompilerServices;
using PageExt.Buddy;
using PageExt.Physical;
using PageExt.Stacks;
using PageExt.Tasks;

namespace PageExt.Tests.PageOwner;

public class PageOwnerRecordingTests
{
    [Fact]
    public void Off_by_default_costs_no_page_ext_and_installs_no_hook()
    {
        using var m = TestMachines.Boot();
        Assert.False(m.PageOwner.IsEnabled);
        Assert.False(m.Allocator.HasHooks);
        Assert.Equal(0, m.PageExt.TotalBytes);
        Assert.Contains("page_owner is disabled", m.Log.Lines);
    }

    [Fact]
    public void On_takes_72_bytes_per_page_and_marks_early_pages()
    {
        using var m = TestMachines.Boot(cmdline: "page_owner=on");
        Assert.True(m.PageOwner.IsEnabled);
        Assert.Equal(72, m.PageExt.EntryBytes);
        long tables = 72L * 32768 * 2;
        Assert.Contains($"allocated {tables} bytes of page_ext", m.Log.Lines);
        // The page_ext tables themselves came from the buddy allocator before page_owner was up.
        long tablePages = 2 * (((72L * 32768) + 4095) / 4096);
        Assert.Equal(tablePages, m.PageOwner.EarlyAllocatedPages);
        Assert.Contains(m.Log.Lines, l => l.EndsWith($"page owner found early allocated {tablePages} pages", StringComparison.Ordinal));
        m.AssertConsistent();
    }

    [Fact]
    public void Every_page_of_an_allocation_records_its_owner_and_frees_keep_it()
    {
        using var m = TestMachines.Boot(cmdline: "page_owner=on");
        Assert.True(m.TryAllocPages(GfpFlags.Kernel | GfpFlags.NoWarn, 2, out var pfn));
        for (ulong i = 0; i < 4; i++)
        {
            var info = m.PageOwner.GetOwner(pfn + i)!;
            Assert.True(info.Allocated);
            Assert.Equal(2, info.Order);
            Assert.Equal(GfpFlags.Kernel | GfpFlags.NoWarn, info.Gfp);
            Assert.Equal(CurrentTask.Pid, info.Pid);
            Assert.Equal(Environment.ProcessId, info.Tgid);
            Assert.Equal(CurrentTask.Comm, info.Comm);
            Assert.True(info.Handle.IsValid);
            Assert.False(info.FreeHandle.IsValid);
        }

        m.FreePages(pfn, 2);
        var freed = m.PageOwner.GetOwner(pfn + 3)!;
        Assert.False(freed.Allocated);
        Assert.Equal(2, freed.Order);
        Assert.True(freed.FreeHandle.IsValid);
        Assert.Equal(CurrentTask.Pid, freed.FreePid);
        Assert.True(freed.FreeTimestampNs >= freed.TimestampNs);
        m.AssertConsistent();
    }

    [Fact]
    public void Split_and_compound_pages_carry_the_owner_to_every_piece()
    {
        using var m = TestMachines.Boot(cmdline: "page_owner=on");
        Assert.True(m.TryAllocPages(GfpFlags.Kernel, 3, out var plain));
        var head = m.PageOwner.GetOwner(plain)!;
        m.Allocator.SplitPage(plain, 3);
        for (ulong i = 0; i < 8; i++)
        {
            var piece = m.PageOwner.GetOwner(plain + i)!;
            Assert.Equal(0, piece.Order);
            Assert.Equal(head.Handle, piece.Handle);
            Assert.Equal(head.TimestampNs, piece.TimestampNs);
        }

        Assert.True(m.TryAllocPages(GfpFlags.Kernel | GfpFlags.Comp, 2, out var compound));
        Assert.All(Enumerable.Range(0, 4), i => Assert.Equal(2, m.PageOwner.GetOwner(compound + (ulong)i)!.Order));
        for (ulong i = 0; i < 8; i++)
        {
            m.FreePages(plain + i, 0);
        }

        m.FreePages(compound, 2);
        m.AssertConsistent();
    }

    [Fact]
    public void The_same_call_site_shares_a_handle_and_different_ones_do_not()
    {
        using var m = TestMachines.Boot(cmdline: "page_owner=on");
        var handles = new HashSet<StackHandle>();

        // Long enough for the allocator and this site to be recompiled (tier 0, OSR, tier 1):
        // every allocation from one line must still get the one handle of its stack.
        var clock = Stopwatch.StartNew();
        for (int round = 0; clock.ElapsedMilliseconds < 400 || round < 100; round++)
        {
            var pfn = AllocFromSiteA(m);
            handles.Add(m.PageOwner.GetOwner(pfn)!.Handle);
            m.FreePages(pfn, 0);
        }

        var a = Assert.Single(handles);
        var b = m.PageOwner.GetOwner(AllocFromSiteB(m))!.Handle;
        Assert.NotEqual(a, b);
        var frames = m.PageOwner.Depot!.GetSymbols(a)!.Frames;
        Assert.Equal(typeof(PageOwnerRecordingTests).FullName + "." + nameof(AllocFromSiteA), frames[PageExt.PageOwner.PageOwner.AllocOrigin.Prefix.Count].Symbol);
    }

    [Fact]
    public void A_stack_is_the_fixed_allocator_prefix_then_the_caller_of_the_public_entry_point()
    {
        using var m = TestMachines.Boot(cmdline: "page_owner=on");
        var depot = m.PageOwner.Depot!;
        var viaMachine = AllocFromSiteA(m);
        var (viaExact, pages) = AllocExactFromSiteC(m);
        m.FreePages(viaMachine, 0);

        string[] Names(StackHandle h) => depot.GetSymbols(h)!.Frames.Select(f => f.Symbol).ToArray();
        string site = typeof(PageOwnerRecordingTests).FullName + ".";
        var alloc = Names(m.PageOwner.GetOwner(viaMachine)!.Handle);
        Assert.Equal(["get_page_from_freelist", "__alloc_frozen_pages_noprof", site + nameof(AllocFromSiteA)], alloc[..3]);
        var exact = Names(m.PageOwner.GetOwner(viaExact)!.Handle);
        Assert.Equal(["get_page_from_freelist", "__alloc_frozen_pages_noprof", site + nameof(AllocExactFromSiteC)], exact[..3]);

        // The pages alloc_pages_exact gave back at once were freed from inside the allocator: their
        // free stack is the free prefix, then the same caller.
        var tail = Names(m.PageOwner.GetOwner(viaExact + (ulong)pages)!.FreeHandle);
        Assert.Equal(["__free_frozen_pages", site + nameof(AllocExactFromSiteC)], tail[..2]);
        var free = Names(m.PageOwner.GetOwner(viaMachine)!.FreeHandle);
        Assert.Equal(["__free_frozen_pages", site + nameof(A_stack_is_the_fixed_allocator_prefix_then_the_caller_of_the_public_entry_point)], free[..2]);
        Assert.All(alloc.Concat(exact).Concat(tail).Concat(free), name =>
            Assert.False(name.StartsWith("PageExt.Buddy.", StringComparison.Ordinal) || name.StartsWith("PageExt.PageOwner.", StringComparison.Ordinal)
                || name.StartsWith("PageExt.Machine.", StringComparison.Ordinal), name));
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static (Pfn Pfn, int Pages) AllocExactFromSiteC(Machine m)
    {
        Assert.True(m.Allocator.TryAllocPagesExact(3 * 4096, GfpFlags.Kernel, out var pfn, out int pages));
        return (pfn, pages);
    }

    [Fact]
    public void Many_threads_record_concurrently_and_stack_counts_add_up()
    {
        const int seed = 77;
        Console.WriteLine($"seed {seed}");
        using var m = TestMachines.Boot(cmdline: "page_owner=on");
        var kept = new List<Pfn>[4];
        TestThreads.RunAndAssert(4, t =>
        {
            var rng = new Random(seed + t);
            var mine = kept[t] = [];
            for (int i = 0; i < 3000; i++)
            {
                var pfn = AllocFromSiteA(m);
                if (rng.Next(2) == 0)
                {
                    m.FreePages(pfn, 0);
                }
                else
                {
                    mine.Add(pfn);
                }
            }
        });
        long live = kept.Sum(k => k.Count);
        // One call path, one stack, holding exactly the pages still held.
        var stacks = PageExt.PageOwner.PageOwnerStacks.Collect(m.PageOwner).Where(s => s.BasePages > 0).ToArray();
        Assert.Equal(live, Assert.Single(stacks).BasePages);
        Assert.All(kept.SelectMany(k => k), p => Assert.True(m.PageOwner.GetOwner(p)!.Allocated));
        m.AssertConsistent();
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    internal static Pfn AllocFromSiteA(Machine m)
    {
        Assert.True(m.TryAllocPages(GfpFlags.Kernel, 0, out var pfn));
        return pfn;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    internal static Pfn AllocFromSiteB(Machine m)
    {
        Assert.True(m.TryAllocPages(GfpFlags.Kernel, 0, out var pfn));
        return pfn;
    }
}
