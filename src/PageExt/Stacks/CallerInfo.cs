using System.Runtime.CompilerServices;

namespace PageExt.Stacks;

/// <summary>
/// A source location from caller-info attributes: the one frame <see cref="StackCaptureMode.Caller"/>
/// records. Take it at the public entry point (an allocation API) and pass it down, so it names the
/// caller of that API rather than a hook inside the allocator.
/// </summary>
public readonly record struct CallerInfo(string Member, string File, int Line)
{
    public bool IsKnown => Member is not null;

    /// <summary>The caller's location, filled in by the compiler.</summary>
    public static CallerInfo Here(
        [CallerMemberName] string member = "",
        [CallerFilePath] string file = "",
        [CallerLineNumber] int line = 0) => new(member, file, line);
}
