using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using PageExt.Stacks.Unwind;

namespace PageExt.Stacks;

/// <summary>
/// page_owner's save_stack(): capture the current thread's stack, store it in a
/// <see cref="StackDepot"/>, and return its handle.
/// <list type="bullet">
/// <item><see cref="StackCaptureMode.FramePointer"/>: walk up to 16 return addresses and look them
/// up; a hit costs about 0.15-0.25 µs and allocates nothing. Only on a miss is a
/// <see cref="StackTrace"/> taken, once, to name the new stack.</item>
/// <item><see cref="StackCaptureMode.Managed"/>: a <see cref="StackTrace"/> every time, keyed by
/// (method, IL offset); portable, about 10 µs.</item>
/// <item><see cref="StackCaptureMode.Caller"/>: one frame from a <see cref="CallerInfo"/>; tens of ns.</item>
/// <item><see cref="StackCaptureMode.Off"/>: <see cref="StackHandle.Invalid"/>.</item>
/// </list>
/// As in the kernel, re-entering on the same thread (the depot or a capture allocating pages that
/// page_owner tracks) returns <see cref="StackDepot.DummyHandle"/> without unwinding, and a depot
/// that cannot store returns <see cref="StackDepot.FailureHandle"/>.
/// <para>
/// Concurrency model: any number of threads; the recursion flag is [ThreadStatic], and the depot
/// and caller-site table are thread-safe. Context: may allocate on a miss (names, a StackTrace) and
/// takes the depot's insert lock then; a hit takes no lock.
/// </para>
/// </summary>
public static class StackSaver
{
    /// <summary>PAGE_OWNER_STACK_DEPTH: frames kept per stack.</summary>
    public const int MaxDepth = 16;

    // Caller-info key: the tag word, then the call site's number in s_callerIds. The compiler
    // passes caller-info strings as literals, which are interned, so the table compares them by
    // reference (a few ns) instead of hashing a whole file path; an equal string from elsewhere
    // only costs a second record, which GetLogicalHandle merges back.
    private static readonly nuint s_callerTag = unchecked((nuint)0x43414C4C45522121UL);
    private static readonly ConcurrentDictionary<CallerInfo, nuint> s_callerIds = new(new ReferenceCallerInfoComparer());
    private static long s_nextCallerId;

    [ThreadStatic]
    private static bool t_saving;

    /// <summary>Whether <see cref="StackCaptureMode.FramePointer"/> is really available here (Linux x64).</summary>
    public static bool FramePointerSupported => FramePointerUnwinder.IsSupported;

    /// <summary>The mode a request really runs as: frame-pointer falls back to managed where unsupported.</summary>
    public static StackCaptureMode Resolve(StackCaptureMode mode) =>
        mode == StackCaptureMode.FramePointer && !FramePointerUnwinder.IsSupported ? StackCaptureMode.Managed : mode;

    /// <summary>
    /// Saves the caller's stack. The first frame is the call site in the method that called
    /// <c>Save</c>, after dropping <paramref name="skipFrames"/> more (frames of the caller's own
    /// helpers). <paramref name="callerInfo"/> is used only by <see cref="StackCaptureMode.Caller"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static StackHandle Save(StackDepot depot, int skipFrames, StackCaptureMode mode, CallerInfo callerInfo = default)
    {
        ArgumentNullException.ThrowIfNull(depot);
        if (skipFrames < 0)
        {
            ThrowHelper.ThrowArgumentOutOfRange(nameof(skipFrames), "skipFrames must not be negative");
        }

        if (!TryEnter())
        {
            return depot.DummyHandle;
        }

        try
        {
            StackHandle handle;
            switch (Resolve(mode))
            {
                case StackCaptureMode.FramePointer:
                    Span<nuint> frames = stackalloc nuint[MaxDepth];
                    // Entry 0 is the return address inside Save itself.
                    int count = FramePointerUnwinder.Capture(frames, 1 + skipFrames);
                    if (!depot.TryGet(frames[..count], out handle))
                    {
                        handle = SaveFramePointerMiss(depot, frames[..count], skipFrames);
                    }

                    break;
                case StackCaptureMode.Managed:
                    handle = SaveManaged(depot, skipFrames);
                    break;
                case StackCaptureMode.Caller:
                    handle = SaveCallerInfo(depot, callerInfo);
                    break;
                default:
                    return StackHandle.Invalid;
            }

            return handle.IsValid ? handle : depot.FailureHandle;
        }
        finally
        {
            Exit();
        }
    }

    /// <summary>
    /// Marks this thread as inside page_owner (the kernel's current->in_page_owner). Returns false,
    /// changing nothing, when it already is. page_owner wraps its own allocations (for example its
    /// stack list) in <see cref="TryEnter"/>/<see cref="Exit"/> so that they record the dummy stack
    /// instead of recursing.
    /// </summary>
    public static bool TryEnter()
    {
        if (t_saving)
        {
            return false;
        }

        t_saving = true;
        return true;
    }

    /// <summary>Ends what a successful <see cref="TryEnter"/> began.</summary>
    public static void Exit() => t_saving = false;

    /// <summary>Whether this thread is inside page_owner (between <see cref="TryEnter"/> and <see cref="Exit"/>).</summary>
    public static bool IsEntered => t_saving;

    /// <summary>Saves one caller-info frame: <c>StackSaver.SaveCaller(depot)</c> records the line it is written on.</summary>
    public static StackHandle SaveCaller(
        StackDepot depot,
        [CallerMemberName] string member = "",
        [CallerFilePath] string file = "",
        [CallerLineNumber] int line = 0) =>
        Save(depot, 0, StackCaptureMode.Caller, new CallerInfo(member, file, line));

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static StackHandle SaveFramePointerMiss(StackDepot depot, ReadOnlySpan<nuint> frames, int skipFrames)
    {
        // Frame 0 is this method, 1 is Save, 2 is Save's caller.
        var trace = new StackTrace(2 + skipFrames, false);
        return depot.Save(frames, ManagedStackWalker.Resolve(trace, MaxDepth));
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static StackHandle SaveManaged(StackDepot depot, int skipFrames)
    {
        var trace = new StackTrace(2 + skipFrames, false);
        Span<nuint> key = stackalloc nuint[ManagedStackWalker.KeyWords(MaxDepth)];
        int words = ManagedStackWalker.WriteKey(trace, MaxDepth, key);
        return depot.TryGet(key[..words], out var handle)
            ? handle
            : depot.Save(key[..words], ManagedStackWalker.Resolve(trace, MaxDepth));
    }

    private static StackHandle SaveCallerInfo(StackDepot depot, CallerInfo site)
    {
        if (!site.IsKnown)
        {
            site = new CallerInfo("<unknown>", string.Empty, 0);
        }

        if (!s_callerIds.TryGetValue(site, out nuint id))
        {
            id = s_callerIds.GetOrAdd(site, static _ => (nuint)Interlocked.Increment(ref s_nextCallerId));
        }

        Span<nuint> key = [s_callerTag, id];
        return depot.TryGet(key, out var handle)
            ? handle
            : depot.Save(key, new ResolvedStack([new ResolvedFrame(site.Member, 0, 0, 0, site.File, site.Line)]));
    }

    private sealed class ReferenceCallerInfoComparer : IEqualityComparer<CallerInfo>
    {
        public bool Equals(CallerInfo x, CallerInfo y) =>
            ReferenceEquals(x.Member, y.Member) && ReferenceEquals(x.File, y.File) && x.Line == y.Line;

        public int GetHashCode(CallerInfo obj) =>
            HashCode.Combine(RuntimeHelpers.GetHashCode(obj.File), RuntimeHelpers.GetHashCode(obj.Member), obj.Line);
    }
}
