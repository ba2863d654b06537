using System.Diagnostics;
using System.Runtime.CompilerServices;
using BenchmarkDotNet.Attributes;
using PageExt.Stacks;
using PageExt.Stacks.Unwind;

namespace PageExt.Benchmarks.Stacks;

/// <summary>
/// What page_owner pays per allocation to record a stack, at a realistic depth: every case first
/// recurses <see cref="Depth"/> [NoInlining] frames (on top of about 12 harness frames), then
/// captures at the leaf. Compared: the frame-pointer walk plus depot lookup (hit), the same path
/// on a miss (walk, one StackTrace, the canonical key, an alias insert), the managed and caller-info modes, and a bare
/// <c>new StackTrace(false)</c> as the baseline .NET offers.
/// </summary>
[MemoryDiagnoser]
public class StackCaptureBenchmarks
{
    private StackDepot _depot = null!;
    private ulong _missCounter;

    [Params(16)]
    public int Depth { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _depot = new StackDepot(maxPools: StackHandle.MaxPoolCount);
        if (!StackSaver.FramePointerSupported)
        {
            throw new PlatformNotSupportedException("the frame-pointer benchmarks need Linux x64");
        }
    }

    [Benchmark(Baseline = true)]
    public int StackTrace_false() => Recurse(Depth, Case.StackTrace);

    [Benchmark]
    public int FramePointer_hit() => Recurse(Depth, Case.FramePointerHit);

    /// <summary>
    /// The hit path as it was when a raw key of 16 return addresses was the stack's identity:
    /// what the canonical key's longer raw walk (<see cref="StackSaver.RawDepth"/>) costs against.
    /// </summary>
    [Benchmark]
    public int FramePointer_hit_16_raw_frames() => Recurse(Depth, Case.FramePointerHit16);

    [Benchmark]
    public int FramePointer_miss() => Recurse(Depth, Case.FramePointerMiss);

    [Benchmark]
    public int Managed_hit() => Recurse(Depth, Case.ManagedHit);

    [Benchmark]
    public int Caller_hit() => Recurse(Depth, Case.CallerHit);

    [Benchmark]
    public int Recursion_only() => Recurse(Depth, Case.None);

    private enum Case
    {
        None,
        StackTrace,
        FramePointerHit,
        FramePointerHit16,
        FramePointerMiss,
        ManagedHit,
        CallerHit,
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private int Recurse(int depth, Case what)
    {
        if (depth > 0)
        {
            // Not a tail call: the frame stays on the stack.
            return Recurse(depth - 1, what) + 1;
        }

        return Leaf(what);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private int Leaf(Case what)
    {
        switch (what)
        {
            case Case.StackTrace:
                return new StackTrace(false).FrameCount;
            case Case.FramePointerHit:
                return (int)StackSaver.Save(_depot, 0, StackCaptureMode.FramePointer).Value;
            case Case.ManagedHit:
                return (int)StackSaver.Save(_depot, 0, StackCaptureMode.Managed).Value;
            case Case.CallerHit:
                return (int)StackSaver.SaveCaller(_depot).Value;
            case Case.FramePointerHit16:
                return (int)SaveHit16().Value;
            case Case.FramePointerMiss:
                return (int)SaveMiss().Value;
            default:
                return 0;
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private StackHandle SaveHit16()
    {
        Span<nuint> frames = stackalloc nuint[StackSaver.MaxDepth];
        int count = FramePointerUnwinder.Capture(frames, 1);
        return _depot.TryGet(frames[..count], out var handle) ? handle : _depot.Save(frames[..count]);
    }

    // The miss path of StackSaver, made to miss every time by a unique last word: the walk, one
    // StackTrace, the canonical key (a depot hit after the first call), and the alias insert.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private StackHandle SaveMiss()
    {
        Span<nuint> frames = stackalloc nuint[StackSaver.RawDepth + 1];
        int count = FramePointerUnwinder.Capture(frames[..StackSaver.RawDepth], 0);
        frames[count++] = (nuint)(++_missCounter);
        if (_depot.TryGet(frames[..count], out var handle))
        {
            return handle;
        }

        var trace = new StackTrace(false);
        int first = ManagedStackWalker.FirstCallerFrame(trace, typeof(StackCaptureBenchmarks), 0, null);
        Span<nuint> key = stackalloc nuint[1 + ManagedStackWalker.KeyWords(StackSaver.MaxDepth)];
        key[0] = ManagedStackWalker.ManagedTag;
        int words = 1 + ManagedStackWalker.WriteKey(trace, first, StackSaver.MaxDepth, key[1..]);
        if (!_depot.TryGet(key[..words], out var canonical))
        {
            canonical = _depot.Save(key[..words], StackSaver.ResolveNames(trace, first, StackSaver.MaxDepth, []));
        }

        _ = _depot.SaveAlias(frames[..count], canonical);
        return canonical;
    }
}
