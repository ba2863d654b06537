using PageExt.Buddy;
using PageExt.PageExtension;
using PageExt.Physical;

namespace PageExt.Tests.Buddy;

public sealed class AllocatorHookTableTests
{
    /// <summary>A client at every hook point that writes down each call; on when it gets page_ext space.</summary>
    private sealed class RecordingClient(string name, bool need, List<string> calls)
        : PageExtClient, IAllocPrepareHook, IAllocHook, IFreeHook, ISplitHook
    {
        public override string Name => name;

        public override int SizeBytes => 0;

        public bool IsEnabled => HasSpace;

        public override bool Need() => need;

        public void PrepareAlloc(Pfn pfn, int order, GfpFlags gfp) => calls.Add($"{name} prepare {order}");

        public void OnAlloc(Pfn pfn, int order, GfpFlags gfp) => calls.Add($"{name} alloc {order}");

        public void OnFree(Pfn pfn, int order) => calls.Add($"{name} free {order}");

        public void OnSplit(Pfn pfn, int oldOrder, int newOrder) => calls.Add($"{name} split {oldOrder}->{newOrder}");
    }

    /// <summary>A client that only records allocations: it implements no other hook, so nothing else can call it.</summary>
    private sealed class AllocOnlyClient(List<string> calls) : PageExtClient, IAllocHook
    {
        public override string Name => "alloc_only";

        public override int SizeBytes => 0;

        public bool IsEnabled => HasSpace;

        public override bool Need() => true;

        public void OnAlloc(Pfn pfn, int order, GfpFlags gfp) => calls.Add($"alloc_only alloc {order}");
    }

    /// <summary>A client that asks for guard pages below an order.</summary>
    private sealed class GuardClient(string name) : IGuardPageHook
    {
        public string Name => name;

        public bool IsEnabled => true;

        public int GuardMinOrder => 2;

        public void OnGuardSet(uint pfn, int order)
        {
        }

        public void OnGuardCleared(uint pfn, int order)
        {
        }
    }

    private static Machine Boot(params PageExtClient[] clients) =>
        Machine.Boot(new MachineDescription { MemoryBytes = 128L << 20, Cpus = 1 }, clients);

    [Fact]
    public void Enabled_clients_run_in_registration_order_on_allocation_and_in_reverse_on_free()
    {
        var calls = new List<string>();
        using var m = Boot(new RecordingClient("a", need: true, calls), new RecordingClient("b", need: true, calls));

        Assert.True(m.Allocator.TryAllocPages(GfpFlags.Kernel, 1, out var pfn));
        m.Allocator.FreePages(pfn, 1);

        Assert.Equal(["a prepare 1", "b prepare 1", "a alloc 1", "b alloc 1", "b free 1", "a free 1"], calls);
        m.AssertConsistent();
    }

    [Fact]
    public void A_disabled_slot_is_never_called()
    {
        var calls = new List<string>();
        using var m = Boot(new RecordingClient("off", need: false, calls));

        Assert.True(m.Allocator.TryAllocPages(GfpFlags.Kernel, 2, out var pfn));
        m.Allocator.SplitPage(pfn, 2);
        for (ulong i = 0; i < 4; i++)
        {
            m.Allocator.FreePages(pfn + i, 0);
        }

        Assert.Empty(calls);
        var slot = Assert.Single(m.Hooks.Slots, s => s.Name == "off");
        Assert.False(slot.Enabled);
        Assert.False(m.Allocator.HasHooks);
    }

    [Fact]
    public void A_client_is_called_only_at_the_hook_points_it_implements()
    {
        var calls = new List<string>();
        using var m = Boot(new AllocOnlyClient(calls));

        Assert.True(m.Allocator.TryAllocPages(GfpFlags.Kernel, 1, out var pfn));
        m.Allocator.SplitPage(pfn, 1);
        m.Allocator.FreePages(pfn, 0);
        m.Allocator.FreePages(pfn + 1, 0);

        Assert.Equal(["alloc_only alloc 1"], calls);
        Assert.Single(m.Hooks.Alloc);
        Assert.Empty(m.Hooks.Free);
        Assert.Empty(m.Hooks.Split);
    }

    [Fact]
    public void The_built_in_features_have_one_slot_each_in_the_kernels_order()
    {
        using var m = TestMachines.Boot(cmdline: "page_owner=on page_poison=1");

        Assert.Equal(["debug_guardpage: off", "page_poisoning: on", "page_owner: on", "trace_event: off"], m.Hooks.Slots.Select(s => s.ToString()));
        Assert.True(m.Hooks.IsEnabled("page_owner"));
        Assert.False(m.Hooks.IsEnabled("debug_guardpage"));
    }

    [Fact]
    public void The_table_is_read_only_after_boot()
    {
        using var m = TestMachines.Boot(cmdline: "page_owner=on");

        Assert.Throws<InvalidOperationException>(() => m.Allocator.InstallHooks(new AllocatorHookTable.Builder().Build()));
        Assert.Throws<NotSupportedException>(() => ((IList<AllocatorHookSlot>)m.Hooks.Slots).RemoveAt(0));
        Assert.True(m.Hooks.IsEnabled("page_owner"));
    }

    [Fact]
    public void A_built_table_takes_no_more_slots()
    {
        var builder = new AllocatorHookTable.Builder();
        builder.Add(new RecordingClient("a", need: true, []));
        builder.Build();

        Assert.Throws<InvalidOperationException>(() => builder.Add(new RecordingClient("b", need: true, [])));
    }

    [Fact]
    public void A_feature_is_registered_once()
    {
        var builder = new AllocatorHookTable.Builder();
        builder.Add(new RecordingClient("a", need: true, []));

        Assert.Throws<InvalidOperationException>(() => builder.Add(new RecordingClient("a", need: true, [])));
    }

    [Fact]
    public void Guard_pages_have_one_owner()
    {
        var builder = new AllocatorHookTable.Builder();
        builder.Add(new GuardClient("one"));
        builder.Add(new GuardClient("two"));

        var error = Assert.Throws<InvalidOperationException>(builder.Build);
        Assert.Contains("one and two", error.Message, StringComparison.Ordinal);
    }
}
