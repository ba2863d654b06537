using System.Collections.Concurrent;
using PageExt.Buddy;
using PageExt.Hotplug;
using PageExt.PageOwner;
using PageExt.Physical;
using PageExt.Views;

namespace PageExt.Tests.Buddy;

/// <summary>Machine.Dispose: idempotent, safe while other threads use the machine, and final for every public entry point.</summary>
public class DisposeTests
{
    [Fact]
    public void Dispose_twice_frees_nothing_twice_and_returns()
    {
        var machine = TestMachines.Boot(cmdline: "page_owner=on");
        Assert.True(machine.TryAllocPages(GfpFlags.Kernel, 0, out _));
        machine.Dispose();
        machine.Dispose();
        Assert.True(machine.IsDisposed);
    }

    [Fact]
    public void Dispose_from_many_threads_at_once_releases_once()
    {
        for (int round = 0; round < 20; round++)
        {
            var machine = TestMachines.Boot(memoryBytes: 128L << 20, cmdline: "page_owner=on");
            using var start = new Barrier(4);
            var errors = TestThreads.Run(4, _ =>
            {
                start.SignalAndWait();
                machine.Dispose();
            });
            Assert.Empty(errors);
        }
    }

    /// <summary>
    /// Threads allocate, free, write their pages and ask page_owner while another thread disposes;
    /// repeated. Every thread records what it saw; the test thread asserts. A use of unmapped
    /// memory would kill the test host, which fails the run.
    /// </summary>
    [Theory]
    [InlineData("")]
    [InlineData("page_owner=on")]
    [InlineData("debug_pagealloc=on page_poison=1")]
    public void Threads_using_a_machine_while_it_is_disposed_see_only_ObjectDisposedException(string cmdline)
    {
        const int Workers = 4;
        var unexpected = new ConcurrentQueue<Exception>();
        long disposedSeen = 0, operations = 0;
        for (int round = 0; round < 12; round++)
        {
            var machine = TestMachines.Boot(memoryBytes: 128L << 20, cmdline: cmdline);
            using var started = new CountdownEvent(Workers);
            var threads = new Thread[Workers];
            for (int w = 0; w < Workers; w++)
            {
                int worker = w;
                threads[w] = new Thread(() =>
                {
                    var held = new List<(Pfn Pfn, int Order)>();
                    started.Signal();
                    try
                    {
                        for (long i = 0; ; i++)
                        {
                            int order = (int)((i + worker) % 5) switch { 4 => 9, var o => o };
                            if (machine.TryAllocPages(GfpFlags.Kernel, order, out var pfn))
                            {
                                // Only the call is raced: a span's bytes are the caller's, and
                                // PageSpan's contract ends their use at Dispose, as freed native
                                // memory's would end; a write here could land after the unmap.
                                Assert.Equal(PageSize.Bytes << order, machine.PageSpan(pfn, order).Length);
                                held.Add((pfn, order));
                            }

                            if (held.Count > 16 || (i & 1) == 0 && held.Count > 0)
                            {
                                var (p, o) = held[^1];
                                held.RemoveAt(held.Count - 1);
                                machine.FreePages(p, o);
                            }

                            if (i % 64 == worker)
                            {
                                _ = machine.PageOwner.GetOwner(pfn);
                                _ = machine.Allocator.GetPage(pfn);
                                _ = machine.PageAddress(pfn);
                            }

                            if (i % 512 == worker)
                            {
                                machine.Allocator.DrainAllPages();
                            }

                            Interlocked.Increment(ref operations);
                        }
                    }
                    catch (ObjectDisposedException)
                    {
                        Interlocked.Increment(ref disposedSeen);
                    }
                    catch (Exception e)
                    {
                        unexpected.Enqueue(e);
                    }
                });
                threads[w].Start();
            }

            started.Wait();
            Thread.Sleep(5 + (round % 4 * 5));
            machine.Dispose();
            foreach (var t in threads)
            {
                t.Join();
            }
        }

        Assert.Empty(unexpected);
        Assert.Equal(12 * Workers, disposedSeen);
        Assert.True(operations > 0);
    }

    [Fact]
    public void Dispose_from_a_BadPage_handler_is_refused_instead_of_waiting_for_itself()
    {
        using var machine = TestMachines.Boot();
        Exception? seen = null;
        machine.Allocator.BadPage += _ =>
        {
            try
            {
                machine.Dispose();
            }
            catch (Exception e)
            {
                seen = e;
            }
        };
        Assert.True(machine.TryAllocPages(GfpFlags.Kernel, 0, out var pfn));
        machine.FreePages(pfn, 0);
        machine.FreePages(pfn, 0);
        Assert.IsType<InvalidOperationException>(seen);
        Assert.False(machine.IsDisposed);
        Assert.True(machine.TryAllocPages(GfpFlags.Kernel, 0, out _));
    }

    [Fact]
    public void CheckInvariants_after_Dispose_throws_rather_than_reading_freed_memory()
    {
        var machine = TestMachines.Boot();
        machine.Dispose();
        Assert.Throws<ObjectDisposedException>(() => machine.Allocator.CheckInvariants());
        var allocator = GetAllocatorBeforeDispose(out var other);
        other.Dispose();
        Assert.Throws<ObjectDisposedException>(() => allocator.CheckInvariants());
    }

    private static PageAllocator GetAllocatorBeforeDispose(out Machine machine)
    {
        machine = TestMachines.Boot();
        return machine.Allocator;
    }

    [Fact]
    public void PageSpan_refuses_a_block_that_runs_past_present_memory()
    {
        using var machine = TestMachines.Boot(memoryBytes: 128L << 20);
        ulong last = machine.Memory.MaxPfn - 1;
        Assert.Equal(PageSize.Bytes, machine.PageSpan(new Pfn(last), 0).Length);
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => machine.PageSpan(new Pfn(last), 10));
        Assert.Contains("outside the machine's present memory", ex.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => machine.PageSpan(new Pfn(machine.Memory.MaxPfn - 512), 10));
        Assert.Equal(PageSize.Bytes << 10, machine.PageSpan(new Pfn(machine.Memory.MaxPfn - 1024), 10).Length);
        Assert.Throws<ArgumentOutOfRangeException>(() => machine.PageSpan(new Pfn(machine.Memory.MaxPfn), 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => machine.PageAddress(new Pfn(machine.Memory.MaxPfn)));
        Assert.Throws<ArgumentOutOfRangeException>(() => machine.PageSpan(new Pfn(0), 11));
        Assert.Throws<ArgumentOutOfRangeException>(() => machine.PageSpan(new Pfn(0), -1));
    }

    [Fact]
    public void PageSpan_refuses_a_block_that_runs_into_an_absent_section()
    {
        // 128 MiB present, one 128 MiB section of hot-pluggable room that is not added.
        using var machine = TestMachines.Boot(memoryBytes: 128L << 20, hotplugBytes: 128L << 20);
        ulong boundary = (ulong)MemorySection.Pages;
        Assert.Throws<ArgumentOutOfRangeException>(() => machine.PageSpan(new Pfn(boundary - 1), 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => machine.PageAddress(new Pfn(boundary)));
    }

    [Fact]
    public void PageSpan_and_PageAddress_after_Dispose_throw_ObjectDisposedException()
    {
        var machine = TestMachines.Boot();
        var allocator = machine.Allocator;
        machine.Dispose();
        Assert.Throws<ObjectDisposedException>(() => machine.PageSpan(new Pfn(1), 0));
        Assert.Throws<ObjectDisposedException>(() => machine.PageAddress(new Pfn(1)));
        Assert.Throws<ObjectDisposedException>(() => allocator.PageSpan(new Pfn(1), 10));
    }

    /// <summary>
    /// Every public method and property of the machine and of every public type that hangs off it
    /// (and the static views and dumps that take one) throws ObjectDisposedException once the machine
    /// is disposed, except the few listed here that hold no memory of the machine: what it was
    /// booted with, what it printed, and settings and names fixed at boot.
    /// </summary>
    [Fact]
    public void Every_public_entry_point_throws_ObjectDisposedException_after_Dispose()
    {
        var machine = TestMachines.Boot(memoryBytes: 128L << 20, hotplugBytes: 128L << 20, cmdline: "page_owner=on debug_pagealloc=on");
        var parts = new Dictionary<Type, object>
        {
            [typeof(Machine)] = machine,
            [typeof(PageAllocator)] = machine.Allocator,
            [typeof(MemoryHotplug)] = machine.Hotplug,
            [typeof(global::PageExt.PageOwner.PageOwner)] = machine.PageOwner,
            [typeof(global::PageExt.DebugPageAlloc.DebugPageAllocFeature)] = machine.DebugPageAlloc!,
            [typeof(global::PageExt.Trace.KmemTrace)] = machine.Trace,
        };
        var owner = machine.PageOwner;
        machine.Dispose();

        // Plain state that outlives the memory: readable after Dispose by design.
        string[] outlive =
        [
            "Machine.Description", "Machine.Parameters", "Machine.HasCma", "Machine.Log", "Machine.IsDisposed", "Machine.Dispose", "Machine.Id",
            "PageOwner.Name", "PageOwner.SizeBytes", "PageOwner.Need", "PageOwner.IsEnabled", "PageOwner.Depot", "PageOwner.StackMode",
            "PageOwner.CountThreshold", "PageOwner.Init", "PageOwner.HasSpace", "PageOwner.Offset",
            "DebugPageAllocFeature.Settings", "DebugPageAllocFeature.Clients", "DebugPageAllocFeature.DebugPageallocEnabled",
            "DebugPageAllocFeature.PagePoisonEnabled", "DebugPageAllocFeature.GuardPageMinOrder", "DebugPageAllocFeature.PageDetails",
            "DebugPageAllocFeature.Create",
            "KmemTrace.Name", "KmemTrace.Events", "KmemTrace.Stacktrace", "KmemTrace.RecordTgid", "KmemTrace.IsEnabled", "KmemTrace.BufferEvents",
        ];

        var checkedMembers = new List<string>();
        var failures = new List<string>();
        foreach (var (type, instance) in parts)
        {
            foreach (var method in type.GetMethods(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.DeclaredOnly))
            {
                string name = $"{type.Name}.{(method.IsSpecialName ? method.Name[4..] : method.Name)}";
                if (outlive.Contains(name) || method.Name.StartsWith("add_", StringComparison.Ordinal) || method.Name.StartsWith("remove_", StringComparison.Ordinal)
                    || method.Name.StartsWith("set_", StringComparison.Ordinal))
                {
                    continue;
                }

                if (method.ReturnType.IsByRefLike)
                {
                    // Reflection cannot return a span; these are called directly below.
                    Assert.Contains(name, (string[])["Machine.PageSpan", "PageAllocator.PageSpan"]);
                    continue;
                }

                if (method.GetParameters().Any(p => p.ParameterType.IsByRefLike))
                {
                    // Nor pass one; these are called directly below.
                    Assert.Contains(name, (string[])["Machine.ReleasePages", "PageAllocator.ReleasePages"]);
                    continue;
                }

                checkedMembers.Add(name);
                var args = method.GetParameters().Select(p => SampleArgument(p.ParameterType)).ToArray();
                try
                {
                    method.Invoke(instance, args);
                    failures.Add($"{name}: returned normally");
                }
                catch (System.Reflection.TargetInvocationException e) when (e.InnerException is ObjectDisposedException)
                {
                }
                catch (System.Reflection.TargetInvocationException e)
                {
                    failures.Add($"{name}: {e.InnerException!.GetType().Name}: {e.InnerException.Message}");
                }
            }
        }

        // The static views and dumps that take a machine or its page_owner.
        var allocator = (PageAllocator)parts[typeof(PageAllocator)];
        var statics = new (string Name, Action Call)[]
        {
            ("Machine.PageSpan", () => machine.PageSpan(new Pfn(1), 0)),
            ("PageAllocator.PageSpan", () => allocator.PageSpan(new Pfn(1), 0)),
            ("Machine.ReleasePages", () => machine.ReleasePages([new Pfn(1)])),
            ("PageAllocator.ReleasePages", () => allocator.ReleasePages([new Pfn(1)])),
            ("PageOwnerDump.Write", () => PageOwnerDump.Write(TextWriter.Null, owner)),
            ("PageOwnerDump.Write(2014)", () => PageOwnerDump.Write(TextWriter.Null, owner, DumpFormat.Seed2014)),
            ("PageOwnerStacks.WriteStacks", () => PageOwnerStacks.WriteStacks(TextWriter.Null, owner)),
            ("PageOwnerStacks.WriteHandles", () => PageOwnerStacks.WriteHandles(TextWriter.Null, owner)),
            ("PageOwnerStacks.WriteStacksHandles", () => PageOwnerStacks.WriteStacksHandles(TextWriter.Null, owner)),
            ("PageOwnerStacks.Collect", () => PageOwnerStacks.Collect(owner)),
            ("MixedBlocks.Count", () => MixedBlocks.Count(owner, null!)),
            ("MemorySnapshot.Capture", () => MemorySnapshot.Capture(machine, false)),
            ("ProcFiles.Snapshot", () => ProcFiles.Snapshot(machine)),
            ("ProcVmStat.Write", () => ProcVmStat.Write(TextWriter.Null, machine)),
        };
        foreach (var (name, call) in statics)
        {
            checkedMembers.Add(name);
            try
            {
                call();
                failures.Add($"{name}: returned normally");
            }
            catch (ObjectDisposedException)
            {
            }
            catch (Exception e)
            {
                failures.Add($"{name}: {e.GetType().Name}: {e.Message}");
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.True(checkedMembers.Count > 40, $"only {checkedMembers.Count} members checked");
    }

    private static object? SampleArgument(Type type)
    {
        if (type.IsByRef)
        {
            type = type.GetElementType()!;
        }

        return type == typeof(Pfn) ? new Pfn(1)
            : type == typeof(int) ? 0
            : type == typeof(long) ? 0L
            : type == typeof(ulong) ? 1UL
            : type == typeof(nint) ? (nint)0x1000
            : type.IsValueType ? Activator.CreateInstance(type)
            : null;
    }
}
