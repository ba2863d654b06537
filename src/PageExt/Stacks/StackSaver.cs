using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using PageExt.Errors;
using PageExt.Stacks.Unwind;

namespace PageExt.Stacks;

/// <summary>
/// page_owner's save_stack(): capture the current thread's stack, store it in a
/// <see cref="StackDepot"/>, and return its handle.
/// <para>
/// One call path gives one handle, whatever the JIT did to the code. The depot key of a stack is
/// canonical: a tag, the <see cref="StackOrigin"/>, then (method, IL offset) per frame from the
/// first frame of the caller (the saver's own frames are cut, see <see cref="StackOrigin"/>).
/// Tiered compilation, PGO, OSR and ReadyToRun move return addresses and inline the saver's own
/// methods differently from one tier to the next; none of that changes this key.
/// </para>
/// <list type="bullet">
/// <item><see cref="StackCaptureMode.FramePointer"/>: walk up to <see cref="RawDepth"/> return
/// addresses and look them up as a raw key (about 0.15-0.25 µs, nothing allocated). A raw key is an
/// alias of its canonical stack. Only on a miss (a path first seen, or seen in newly compiled code)
/// is a <see cref="StackTrace"/> taken, once, to find or store the canonical stack and alias the
/// raw key to it.</item>
/// <item><see cref="StackCaptureMode.Managed"/>: a <see cref="StackTrace"/> every time, looked up by
/// its canonical key; portable, about 10 µs.</item>
/// <item><see cref="StackCaptureMode.Caller"/>: one frame from a <see cref="CallerInfo"/>; tens of ns.</item>
/// <item><see cref="StackCaptureMode.Off"/>: <see cref="StackHandle.Invalid"/>.</item>
/// </list>
/// As in the kernel, re-entering on the same thread (the depot or a capture allocating pages that
/// page_owner tracks) returns <see cref="StackDepot.DummyHandle"/> without unwinding, and a depot
/// that cannot store returns <see cref="StackDepot.FailureHandle"/>.
/// <para>
/// Concurrency model: any number of threads; the recursion flag is [ThreadStatic], and the depot
/// and caller-site tables are thread-safe. Context: may allocate on a miss (names, a StackTrace) and
/// takes the depot's insert lock then; a hit takes no lock.
/// </para>
/// </summary>
public static class StackSaver
{
    /// <summary>PAGE_OWNER_STACK_DEPTH: frames kept per stack, the origin's prefix included.</summary>
    public const int MaxDepth = 16;

    /// <summary>
    /// Return addresses in a raw frame-pointer key. It must reach every frame the canonical stack
    /// keeps, or two paths that differ only there would share it: the saver's own frames (at most
    /// 12 between page_owner's hook and the caller when nothing is inlined: Save, the hook, the
    /// hook dispatch, prep_new_page's three levels, the zone path, the core, one or two entry
    /// points) plus up to <see cref="MaxDepth"/> - 1 of the caller's: 27, with room to spare. Every
    /// word more costs a load, a hash step and a compare on every capture.
    /// </summary>
    internal const int RawDepth = 32;

    // Raw keys: the tag, then the origin id and skip count, then return addresses. Canonical keys:
    // ManagedStackWalker's tag, the origin id and skip count, then (method, IL offset) pairs.
    private static readonly nuint s_rawTag = unchecked((nuint)0x5241574652414D45UL);
    private const int KeyHeaderWords = 2;

    // Caller-info key: the tag word, then the call site's number. The compiler passes caller-info
    // strings as literals, which are interned, so the first table compares them by reference (a
    // few ns) instead of hashing a whole file path; an equal string from elsewhere misses there and
    // finds the site's number by value in the second, so one site always has one number.
    private static readonly nuint s_callerTag = unchecked((nuint)0x43414C4C45522121UL);
    private static readonly ConcurrentDictionary<CallerInfo, nuint> s_callerIds = new(new ReferenceCallerInfoComparer());
    private static readonly ConcurrentDictionary<CallerInfo, nuint> s_callerIdsByValue = new();
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
    /// helpers, counted as <see cref="StackTrace"/> counts them). <paramref name="callerInfo"/> is
    /// used only by <see cref="StackCaptureMode.Caller"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static StackHandle Save(StackDepot depot, int skipFrames, StackCaptureMode mode, CallerInfo callerInfo = default)
    {
        ArgumentNullException.ThrowIfNull(depot);
        if (skipFrames < 0)
        {
            ThrowHelper.ThrowArgumentOutOfRange(nameof(skipFrames), "skipFrames must not be negative");
        }

        return SaveCore(depot, null, skipFrames, mode, callerInfo);
    }

    /// <summary>
    /// Saves the stack of the code that called into <paramref name="origin"/>'s own code: its
    /// leading frames are cut and its prefix printed in their place.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    internal static StackHandle Save(StackDepot depot, StackOrigin origin, StackCaptureMode mode) =>
        SaveCore(depot, origin, 0, mode, default);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static StackHandle SaveCore(StackDepot depot, StackOrigin? origin, int skipFrames, StackCaptureMode mode, CallerInfo callerInfo)
    {
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
                    Span<nuint> raw = stackalloc nuint[KeyHeaderWords + RawDepth];
                    raw[0] = s_rawTag;
                    raw[1] = KeyOrigin(origin, skipFrames);

                    // Entry 0 is the return address inside SaveCore itself: the same for every caller.
                    int count = KeyHeaderWords + FramePointerUnwinder.Capture(raw[KeyHeaderWords..], 1);
                    if (!depot.TryGet(raw[..count], out handle))
                    {
                        handle = SaveFramePointerMiss(depot, raw[..count], origin, skipFrames);
                    }

                    break;
                case StackCaptureMode.Managed:
                    handle = SaveCanonical(depot, new StackTrace(false), origin, skipFrames);
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

    /// <summary>A raw key seen for the first time: find or store its canonical stack, then alias the key to it.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static StackHandle SaveFramePointerMiss(StackDepot depot, ReadOnlySpan<nuint> raw, StackOrigin? origin, int skipFrames)
    {
        var canonical = SaveCanonical(depot, new StackTrace(false), origin, skipFrames);
        if (canonical.IsValid)
        {
            // A full depot keeps the canonical handle working; only later hits of this key miss again.
            _ = depot.SaveAlias(raw, canonical);
        }

        return canonical;
    }

    /// <summary>The canonical stack of a trace taken inside this class: found, or stored with its names.</summary>
    private static StackHandle SaveCanonical(StackDepot depot, StackTrace trace, StackOrigin? origin, int skipFrames)
    {
        int first = ManagedStackWalker.FirstCallerFrame(trace, typeof(StackSaver), skipFrames, origin?.IsOwnFrame);
        int depth = MaxDepth - (origin?.Prefix.Count ?? 0);
        Span<nuint> key = stackalloc nuint[KeyHeaderWords + ManagedStackWalker.KeyWords(depth)];
        key[0] = ManagedStackWalker.ManagedTag;
        key[1] = KeyOrigin(origin, skipFrames);
        int words = KeyHeaderWords + ManagedStackWalker.WriteKey(trace, first, depth, key[KeyHeaderWords..]);
        return depot.TryGet(key[..words], out var handle)
            ? handle
            : depot.Save(key[..words], ResolveNames(trace, first, depth, origin?.Prefix ?? []));
    }

    /// <summary>
    /// <paramref name="prefix"/>, then the names of up to <paramref name="maxFrames"/> frames of the trace from
    /// <paramref name="first"/>: the names a stack is stored with. Kept here, beside the depot's types, so the unwinders
    /// below depend on nothing of Stacks.
    /// </summary>
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "Diagnostics only: a frame whose metadata was trimmed prints as an unknown method.")]
    internal static ResolvedStack ResolveNames(StackTrace trace, int first, int maxFrames, IReadOnlyList<ResolvedFrame> prefix)
    {
        int end = Math.Min(trace.FrameCount, first + maxFrames);
        var frames = new List<ResolvedFrame>(prefix.Count + Math.Max(end - first, 0));
        frames.AddRange(prefix);
        for (int i = first; i < end; i++)
        {
            var frame = trace.GetFrame(i);
            var method = frame?.GetMethod();
            int ilOffset = frame?.GetILOffset() ?? StackFrame.OFFSET_UNKNOWN;
            if (method is null)
            {
                frames.Add(new ResolvedFrame("<unknown>", ilOffset, 0, 0));
                continue;
            }

            frames.Add(new ResolvedFrame(ManagedStackWalker.FullName(method), ilOffset, ManagedStackWalker.ILSize(method), ManagedStackWalker.MethodId(method)));
        }

        return new ResolvedStack(frames);
    }

    private static nuint KeyOrigin(StackOrigin? origin, int skipFrames) => ((nuint)(uint)skipFrames << 8) | (nuint)(origin?.Id ?? 0);

    private static StackHandle SaveCallerInfo(StackDepot depot, CallerInfo site)
    {
        if (!site.IsKnown)
        {
            site = new CallerInfo("<unknown>", string.Empty, 0);
        }

        if (!s_callerIds.TryGetValue(site, out nuint id))
        {
            id = s_callerIdsByValue.GetOrAdd(site, static _ => (nuint)Interlocked.Increment(ref s_nextCallerId));
            s_callerIds.TryAdd(site, id);
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
