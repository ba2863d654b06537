namespace PageExt.Stacks;

/// <summary>
/// How a stack is captured for page_owner (boot parameter <c>page_owner_stack=</c>, a PageExt
/// addition). The kernel always unwinds; .NET has no cheap public unwinder, so the choice between
/// speed, portability and detail is left to the user.
/// </summary>
public enum StackCaptureMode
{
    /// <summary>
    /// Walk the RBP/X29 frame-pointer chain (Linux x64, about 0.15 µs, no allocation). Where the
    /// walk is unavailable, <see cref="StackSaver"/> uses <see cref="Managed"/> instead.
    /// </summary>
    FramePointer = 0,

    /// <summary><c>new StackTrace(skip, false)</c>: portable and exact, about 10 µs per capture.</summary>
    Managed = 1,

    /// <summary>One frame from <c>[CallerMemberName]/[CallerFilePath]/[CallerLineNumber]</c>: a few ns.</summary>
    Caller = 2,

    /// <summary>No capture: every save returns the depot's "no stack" handle.</summary>
    Off = 3,
}
