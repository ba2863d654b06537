using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using PageExt.Stacks;
using PageExt.Stacks.Unwind;

namespace PageExt.Tests.Stacks;

public class StackSaverTests
{
    private const string ThisType = "PageExt.Tests.Stacks.StackSaverTests";

    [Fact]
    public void Frame_pointer_walk_is_available_on_linux_x64()
    {
        bool expected = OperatingSystem.IsLinux() && RuntimeInformation.ProcessArchitecture == Architecture.X64;
        Assert.Equal(expected, FramePointerUnwinder.IsSupported);
        Assert.Equal(expected, StackSaver.FramePointerSupported);
        Assert.Equal(expected ? StackCaptureMode.FramePointer : StackCaptureMode.Managed, StackSaver.Resolve(StackCaptureMode.FramePointer));
        Assert.Equal(StackCaptureMode.Caller, StackSaver.Resolve(StackCaptureMode.Caller));
    }

    [Fact]
    public void Walk_sees_every_level_of_an_n_deep_recursion()
    {
        if (!FramePointerUnwinder.IsSupported)
        {
            return;
        }

        const int depth = 20;
        var shallow = new nuint[512];
        var deep = new nuint[512];
        int shallowCount = 0;
        int deepCount = 0;
        for (int i = 0; i < 2; i++)
        {
            // Same call site for both walks: only the recursion differs.
            int d = i == 0 ? 0 : depth;
            int n = WalkAtDepth(d, i == 0 ? shallow : deep, 0);
            if (i == 0)
            {
                shallowCount = n;
            }
            else
            {
                deepCount = n;
            }
        }

        Assert.True(deepCount >= depth, $"walk returned {deepCount} frames for {depth} levels");
        Assert.True(deepCount < deep.Length, "the walk did not reach the bottom of the stack");
        Assert.Equal(shallowCount + depth, deepCount);

        // The recursion's return addresses: one call site, so one address repeated.
        Assert.All(deep[1..(depth + 1)], a => Assert.Equal(deep[1], a));

        // Below the recursion the two walks see the same code.
        Assert.Equal(shallow[1..shallowCount], deep[(depth + 1)..deepCount]);
    }

    [Fact]
    public void Walk_skips_and_respects_the_span_length()
    {
        if (!FramePointerUnwinder.IsSupported)
        {
            return;
        }

        var runs = new[] { new nuint[256], new nuint[256], new nuint[3] };
        var counts = new int[3];
        for (int i = 0; i < 3; i++)
        {
            counts[i] = WalkAtDepth(5, runs[i], i == 1 ? 2 : 0);
        }

        Assert.Equal(3, counts[2]);
        Assert.Equal(runs[0][..3], runs[2]);
        Assert.Equal(counts[0] - 2, counts[1]);
        Assert.Equal(runs[0][2..counts[0]], runs[1][..counts[1]]);
    }

    // Unoptimised so that every level keeps its RBP frame whatever the JIT's heuristics.
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.NoOptimization)]
    private static int WalkAtDepth(int depth, nuint[] frames, int skip)
    {
        if (depth > 0)
        {
            return WalkAtDepth(depth - 1, frames, skip) + 0;
        }

        return FramePointerUnwinder.Capture(frames, skip);
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.NoOptimization)]
    private static StackHandle SaveAtDepth(StackDepot depot, int depth, StackCaptureMode mode)
    {
        if (depth > 0)
        {
            return SaveAtDepth(depot, depth - 1, mode);
        }

        return StackSaver.Save(depot, 0, mode);
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.NoOptimization)]
    private static StackHandle SaveFromHelper(StackDepot depot, StackCaptureMode mode) => HelperThatSaves(depot, mode);

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.NoOptimization)]
    private static StackHandle HelperThatSaves(StackDepot depot, StackCaptureMode mode) => StackSaver.Save(depot, 1, mode);

    [Theory]
    [InlineData(StackCaptureMode.FramePointer)]
    [InlineData(StackCaptureMode.Managed)]
    public void Saved_stack_is_named_after_the_calling_methods(StackCaptureMode mode)
    {
        var depot = new StackDepot(maxPools: 4);
        var handle = SaveAtDepth(depot, 3, mode);
        Assert.True(handle.IsValid);
        Assert.False(depot.IsSentinel(handle));
        var frames = depot.GetSymbols(handle)!.Frames;
        for (int i = 0; i < 4; i++)
        {
            Assert.Equal(ThisType + ".SaveAtDepth", frames[i].Symbol);
            Assert.True(frames[i].ILSize > 0);
            Assert.InRange(frames[i].ILOffset, 0, frames[i].ILSize - 1);
            Assert.Matches(@"^PageExt\.Tests\.Stacks\.StackSaverTests\.SaveAtDepth\+0x[0-9a-f]+/0x[0-9a-f]+$", frames[i].ToString());
        }

        Assert.Equal(ThisType + ".Saved_stack_is_named_after_the_calling_methods", frames[4].Symbol);
        Assert.Equal(StackSaver.MaxDepth, frames.Count);
    }

    [Theory]
    [InlineData(StackCaptureMode.FramePointer)]
    [InlineData(StackCaptureMode.Managed)]
    public void Skip_frames_drops_the_callers_helpers(StackCaptureMode mode)
    {
        var depot = new StackDepot(maxPools: 4);
        var frames = depot.GetSymbols(SaveFromHelper(depot, mode))!.Frames;
        Assert.Equal(ThisType + ".SaveFromHelper", frames[0].Symbol);
    }

    [Theory]
    [InlineData(StackCaptureMode.FramePointer)]
    [InlineData(StackCaptureMode.Managed)]
    public void One_call_site_gives_one_handle_and_another_site_another(StackCaptureMode mode)
    {
        var depot = new StackDepot(maxPools: 4);
        var handles = new StackHandle[3];
        for (int i = 0; i < 3; i++)
        {
            handles[i] = SaveAtDepth(depot, i == 2 ? 3 : 2, mode);
        }

        var (first, again, deeper) = (handles[0], handles[1], handles[2]);
        Assert.Equal(first, again);
        Assert.NotEqual(first, deeper);
    }

    [Fact]
    public void Frame_pointer_hits_allocate_nothing_once_the_code_is_stable()
    {
        if (!FramePointerUnwinder.IsSupported)
        {
            return;
        }

        var depot = new StackDepot(maxPools: 64);
        int stablePasses = 0;

        // Tiering may recompile this loop (new return addresses: a miss, which allocates names).
        // Every pass without a miss must allocate nothing, and such passes must occur.
        for (int attempt = 0; attempt < 40 && stablePasses < 3; attempt++)
        {
            long misses = depot.GetStats().Misses;
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 2000; i++)
            {
                StackSaver.Save(depot, 0, StackCaptureMode.FramePointer);
            }

            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            if (depot.GetStats().Misses == misses)
            {
                Assert.Equal(0, allocated);
                stablePasses++;
            }
            else
            {
                Thread.Sleep(50);
            }
        }

        Assert.True(stablePasses >= 3, "the stack never stabilised");
    }

    [Fact]
    public void Caller_mode_records_one_source_line()
    {
        var depot = new StackDepot(maxPools: 1);
        var a = StackSaver.SaveCaller(depot); int line = 0; line = CallerLine();
        var b = StackSaver.Save(depot, 0, StackCaptureMode.Caller, new CallerInfo("Alloc", "/src/x.cs", 12));
        var c = StackSaver.Save(depot, 0, StackCaptureMode.Caller, new CallerInfo("Alloc", "/src/x.cs", 12));
        var d = StackSaver.Save(depot, 0, StackCaptureMode.Caller, new CallerInfo("Alloc", "/src/x.cs", 13));
        Assert.Equal(b, c);
        Assert.NotEqual(b, d);

        // Equal text in other string instances is the same source line: the same handle.
        var copy = StackSaver.Save(depot, 0, StackCaptureMode.Caller, new CallerInfo(new string("Alloc".AsSpan()), new string("/src/x.cs".AsSpan()), 12));
        Assert.Equal(b, copy);
        var frame = depot.GetSymbols(a)!.Frames.Single();
        Assert.Equal(nameof(Caller_mode_records_one_source_line), frame.Symbol);
        Assert.EndsWith("StackSaverTests.cs", frame.FileName, StringComparison.Ordinal);
        Assert.Equal(line, frame.Line);
        Assert.Equal("Alloc (/src/x.cs:12)", depot.GetSymbols(b)!.Frames.Single().ToString());
        var unknown = StackSaver.Save(depot, 0, StackCaptureMode.Caller);
        Assert.Equal("<unknown>", depot.GetSymbols(unknown)!.Frames.Single().Symbol);
    }

    private static int CallerLine([CallerLineNumber] int line = 0) => line;

    [Fact]
    public void Off_mode_stores_nothing()
    {
        var depot = new StackDepot(maxPools: 1);
        Assert.False(StackSaver.Save(depot, 0, StackCaptureMode.Off).IsValid);
        Assert.Equal(3, depot.GetStats().Records);
    }

    [Theory]
    [InlineData(StackCaptureMode.FramePointer)]
    [InlineData(StackCaptureMode.Managed)]
    [InlineData(StackCaptureMode.Caller)]
    public void Reentry_returns_the_dummy_handle_without_unwinding(StackCaptureMode mode)
    {
        var depot = new StackDepot(maxPools: 1);
        Assert.True(StackSaver.TryEnter());
        try
        {
            Assert.True(StackSaver.IsEntered);
            Assert.False(StackSaver.TryEnter());
            Assert.Equal(depot.DummyHandle, StackSaver.Save(depot, 0, mode));
            Assert.Equal(3, depot.GetStats().Records);
        }
        finally
        {
            StackSaver.Exit();
        }

        Assert.False(StackSaver.IsEntered);
        Assert.NotEqual(depot.DummyHandle, StackSaver.Save(depot, 0, mode));
        Assert.False(StackSaver.IsEntered);
    }

    [Fact]
    public void Full_depot_gives_the_failure_handle()
    {
        var depot = new StackDepot(maxPools: 1);
        for (ulong i = 1; depot.Save([(nuint)i, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]).IsValid; i++)
        {
        }

        Assert.Equal(depot.FailureHandle, StackSaver.Save(depot, 0, StackCaptureMode.Managed));
        Assert.Equal(depot.FailureHandle, StackSaver.Save(depot, 0, StackCaptureMode.Caller, new CallerInfo("m", "f", 1)));
    }

    [Fact]
    public void Bad_arguments_throw()
    {
        Assert.Throws<ArgumentNullException>(() => StackSaver.Save(null!, 0, StackCaptureMode.Managed));
        Assert.Throws<ArgumentOutOfRangeException>(() => StackSaver.Save(new StackDepot(maxPools: 1), -1, StackCaptureMode.Managed));
    }

    [Fact]
    public void Many_threads_saving_through_the_frame_pointer_path_agree()
    {
        var depot = new StackDepot(maxPools: 64);
        var handles = new StackHandle[4][];
        var threads = Enumerable.Range(0, 4).Select(t => new Thread(() =>
        {
            handles[t] = new StackHandle[200];
            for (int i = 0; i < 200; i++)
            {
                handles[t][i] = SaveAtDepth(depot, i % 4, StackCaptureMode.FramePointer);
            }
        }, 1 << 20)).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        foreach (var perThread in handles)
        {
            Assert.All(perThread, h => Assert.True(h.IsValid && !depot.IsSentinel(h)));
            for (int i = 0; i < 200; i++)
            {
                var frames = depot.GetSymbols(perThread[i])!.Frames;
                Assert.Equal(i % 4, frames.TakeWhile(f => f.Symbol == ThisType + ".SaveAtDepth").Count() - 1);
            }
        }
    }
}
