using PageExt.Buddy;
using PageExt.PageExtension;
using PageExt.Physical;

namespace PageExt.Tests.PageExtension;

public unsafe class PageExtFrameworkTests
{
    /// <summary>A client with a fixed size whose need() answer is given; it records its init calls.</summary>
    private sealed class SizedClient(string name, int size, bool need, bool sharedFlags = true) : PageExtClient
    {
        public int InitCalls { get; private set; }

        public bool SawTables { get; private set; }

        public override string Name => name;

        public override int SizeBytes => size;

        public override bool NeedsSharedFlags => sharedFlags;

        public override bool Need() => need;

        public override void Init(PageExtensions pageExt)
        {
            InitCalls++;
            SawTables = pageExt.Enabled && pageExt.HasTable(0);
        }
    }

    /// <summary>Hands out tables from native memory until told to fail.</summary>
    private sealed class FailingSource(int succeed) : IPageExtTableSource
    {
        private int _left = succeed;

        public int Freed { get; private set; }

        public bool TryAllocate(MemorySection section, long bytes, out PageExtTable table)
        {
            table = default;
            if (_left-- <= 0)
            {
                return false;
            }

            table = new PageExtTable((nint)System.Runtime.InteropServices.NativeMemory.AllocZeroed((nuint)bytes), bytes, default, 0);
            return true;
        }

        public void Free(PageExtTable table)
        {
            Freed++;
            System.Runtime.InteropServices.NativeMemory.Free((void*)table.Address);
        }
    }

    private static Machine Boot(long memory, long hotplug, PageExtClient[] clients, Func<PageAllocator, IPageExtTableSource>? source = null) =>
        Machine.Boot(new MachineDescription { MemoryBytes = memory, HotplugBytes = hotplug, Cpus = 2 }, clients, source);

    public static TheoryData<bool, bool, bool> Combinations()
    {
        var data = new TheoryData<bool, bool, bool>();
        foreach (bool a in new[] { false, true })
        {
            foreach (bool b in new[] { false, true })
            {
                foreach (bool c in new[] { false, true })
                {
                    data.Add(a, b, c);
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Combinations))]
    public void Every_combination_of_clients_gets_exactly_the_declared_space(bool owner, bool guard, bool poison)
    {
        var clients = new[]
        {
            new SizedClient("owner", 64, owner),
            new SizedClient("guard", 0, guard),
            new SizedClient("poison", 0, poison),
        };
        using var m = Boot(256L << 20, 0, clients);
        bool any = owner || guard || poison;
        int entry = any ? 8 + (owner ? 64 : 0) : 0;
        Assert.Equal(entry, m.PageExt.EntryBytes);
        Assert.Equal(any, m.PageExt.Enabled);
        int sections = m.Memory.PresentSections.Count();
        Assert.Equal((long)entry * 32768 * sections, m.PageExt.TotalBytes);
        Assert.All(clients, c => Assert.Equal(1, c.InitCalls));
        Assert.All(clients, c => Assert.Equal(any, c.SawTables));
        if (any)
        {
            Assert.Contains($"allocated {m.PageExt.TotalBytes} bytes of page_ext", m.Log.Lines);
            Assert.Equal(owner ? 8 : -1, clients[0].Offset);
        }
        else
        {
            Assert.Contains(m.Log.Lines, l => l.Contains("no page_ext memory allocated", StringComparison.Ordinal));
            Assert.True(m.PageExt.Lookup(1000) == null);
        }

        m.AssertConsistent();
    }

    [Fact]
    public void Offsets_follow_client_order_and_sizes()
    {
        var a = new SizedClient("a", 24, true);
        var b = new SizedClient("b", 8, false);
        var c = new SizedClient("c", 40, true, sharedFlags: false);
        using var m = Boot(256L << 20, 0, [a, b, c]);
        Assert.Equal(8, a.Offset);
        Assert.Equal(-1, b.Offset);
        Assert.Equal(32, c.Offset);
        Assert.Equal(72, m.PageExt.EntryBytes);
    }

    [Fact]
    public void A_client_that_needs_no_shared_flags_gets_no_flags_word()
    {
        var c = new SizedClient("c", 16, true, sharedFlags: false);
        using var m = Boot(256L << 20, 0, [c]);
        Assert.Equal(0, c.Offset);
        Assert.Equal(16, m.PageExt.EntryBytes);
    }

    [Fact]
    public void Tables_come_from_the_machine_memory_and_lookups_are_distinct_per_page()
    {
        var owner = new SizedClient("owner", 64, true);
        long freeWithout;
        using (var plain = Boot(256L << 20, 0, []))
        {
            plain.Allocator.DrainAllPages();
            freeWithout = plain.FreePagesTotal();
        }

        using var m = Boot(256L << 20, 0, [owner]);
        m.Allocator.DrainAllPages();
        long tablePages = (72L * 32768 * 2 + 4095) / 4096;
        Assert.Equal(freeWithout - tablePages, m.FreePagesTotal());
        byte* first = m.PageExt.Lookup(1);
        byte* next = m.PageExt.Lookup(2);
        Assert.Equal(72, (int)(next - first));
        byte* otherSection = m.PageExt.Lookup(32768);
        Assert.True(otherSection != null);
        for (ulong pfn = 0; pfn < 65536; pfn += 97)
        {
            PageExtensions.FlagsOf(m.PageExt.Lookup(pfn)) = pfn;
        }

        for (ulong pfn = 0; pfn < 65536; pfn += 97)
        {
            Assert.Equal(pfn, PageExtensions.FlagsOf(m.PageExt.Lookup(pfn)));
        }

        Assert.True(m.PageExt.Lookup(1UL << 40) == null);
        m.AssertConsistent();
    }

    [Fact]
    public void Hotplug_online_allocates_tables_and_offline_frees_them()
    {
        var owner = new SizedClient("owner", 64, true);
        using var m = Boot(256L << 20, 512L << 20, [owner]);
        long before = m.PageExt.TotalBytes;
        m.Hotplug.AddMemory(2, 2);
        Assert.True(m.PageExt.Lookup(2 * 32768) == null);
        Assert.True(m.Hotplug.TryOnline(2, 2, out var error), error);
        Assert.Equal(before + (2 * m.PageExt.TableBytes), m.PageExt.TotalBytes);
        Assert.True(m.PageExt.HasTable(2) && m.PageExt.HasTable(3));
        Assert.True(m.Hotplug.TryOffline(2, 2, out error), error);
        Assert.Equal(before, m.PageExt.TotalBytes);
        Assert.False(m.PageExt.HasTable(2));
        Assert.True(m.PageExt.Lookup(2 * 32768) == null);
        m.AssertConsistent();
    }

    [Fact]
    public void Hotplug_without_page_ext_allocates_nothing()
    {
        using var m = Boot(256L << 20, 256L << 20, []);
        m.Hotplug.AddMemory(2, 1);
        Assert.True(m.Hotplug.TryOnline(2, 1, out _));
        Assert.Equal(0, m.PageExt.TotalBytes);
        Assert.True(m.Hotplug.TryOffline(2, 1, out _));
        m.AssertConsistent();
    }

    [Fact]
    public void A_table_allocation_failure_rolls_back_every_section_of_the_online()
    {
        var owner = new SizedClient("owner", 64, true);
        FailingSource? source = null;
        // Boot needs two tables; the hotplug online of three sections fails on the third.
        using var m = Boot(256L << 20, 512L << 20, [owner], _ => source = new FailingSource(succeed: 4));
        long before = m.PageExt.TotalBytes;
        long managed = m.Zones.Sum(z => z.ManagedPages);
        m.Hotplug.AddMemory(2, 3);
        Assert.False(m.Hotplug.TryOnline(2, 3, out var error));
        Assert.Contains("page ext allocation failure for memory section 4", error, StringComparison.Ordinal);
        Assert.Contains("rolled back", error, StringComparison.Ordinal);
        Assert.Equal(2, source!.Freed);
        Assert.Equal(before, m.PageExt.TotalBytes);
        Assert.False(m.PageExt.HasTable(2) || m.PageExt.HasTable(3) || m.PageExt.HasTable(4));
        Assert.Equal(managed, m.Zones.Sum(z => z.ManagedPages));
        Assert.All(new[] { 2, 3, 4 }, s => Assert.Equal(SectionState.Offline, m.Memory.Section(s)!.State));
        Assert.Contains("page ext allocation failure", m.Log.Lines);
        m.AssertConsistent();
    }

    [Fact]
    public void A_table_allocation_failure_at_boot_is_fatal_with_a_clear_message()
    {
        var owner = new SizedClient("owner", 64, true);
        var ex = Assert.Throws<InsufficientMemoryException>(() => Boot(256L << 20, 0, [owner], _ => new FailingSource(succeed: 1)));
        Assert.Contains("page ext allocation failure", ex.Message, StringComparison.Ordinal);
    }
}
