using PageExt.Buddy;

namespace PageExt.Tests.PageExtension;

/// <summary>The real clients (debug_guardpage, page_poisoning, page_owner), every combination, from the command line.</summary>
public class RealClientCombinationTests
{
    public static TheoryData<bool, bool, bool> Combinations()
    {
        var data = new TheoryData<bool, bool, bool>();
        foreach (bool owner in new[] { false, true })
        {
            foreach (bool debug in new[] { false, true })
            {
                foreach (bool poison in new[] { false, true })
                {
                    data.Add(owner, debug, poison);
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Combinations))]
    public void Page_ext_holds_exactly_what_the_enabled_clients_declare(bool owner, bool debug, bool poison)
    {
        string cmdline = $"page_owner={(owner ? "on" : "off")} debug_pagealloc={(debug ? "on" : "off")} page_poison={(poison ? "1" : "0")}";
        using var m = TestMachines.Boot(memoryBytes: 128L << 20, cmdline: cmdline);
        bool any = owner || debug || poison;
        int entry = any ? 8 + (owner ? 64 : 0) : 0;
        Assert.Equal(entry, m.PageExt.EntryBytes);
        Assert.Equal((long)entry * 32768 * m.Memory.PresentSections.Count(), m.PageExt.TotalBytes);
        Assert.Equal(owner, m.PageOwner.IsEnabled);
        Assert.Equal(any, m.Allocator.HasHooks);
        Assert.Equal(any, m.Log.Lines.Any(l => l == $"allocated {m.PageExt.TotalBytes} bytes of page_ext"));

        // Every mode keeps the allocator consistent and the memory usable.
        Assert.True(m.TryAllocPages(GfpFlags.Kernel, 3, out var pfn));
        m.PageSpan(pfn, 3).Fill(0x11);
        m.FreePages(pfn, 3);
        Assert.True(m.TryAllocPages(GfpFlags.Kernel, 3, out pfn));
        m.FreePages(pfn, 3);
        m.AssertConsistent();
        Assert.Equal(0, m.Allocator.BadPageCount);
    }
}
