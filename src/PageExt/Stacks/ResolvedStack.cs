namespace PageExt.Stacks;

/// <summary>
/// The names of a stored stack, innermost frame first, captured once when the stack was first
/// saved (a depot miss). Raw frame-pointer addresses have no public mapping back to .NET methods,
/// so this is what dumps print.
/// </summary>
public sealed class ResolvedStack
{
    private readonly ResolvedFrame[] _frames;

    public ResolvedStack(IEnumerable<ResolvedFrame> frames)
    {
        _frames = frames.ToArray();
    }

    public IReadOnlyList<ResolvedFrame> Frames => _frames;

    public override string ToString() => string.Join('\n', _frames.Select(f => f.ToString()));
}
