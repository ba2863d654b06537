namespace PageExt.Stacks;

/// <summary>
/// Equality over a resolved stack's (method handle, IL offset, symbol, file, line) sequence: two raw
/// stacks with the same key are the same logical stack (see <see cref="StackDepot.GetLogicalHandle"/>).
/// </summary>
internal sealed class LogicalStackKey : IEquatable<LogicalStackKey>
{
    private readonly ResolvedFrame[] _frames;
    private readonly int _hash;

    public LogicalStackKey(ResolvedFrame[] frames)
    {
        _frames = frames;
        var hash = new HashCode();
        foreach (var frame in frames)
        {
            hash.Add(frame.MethodHandle);
            hash.Add(frame.ILOffset);
            hash.Add(frame.Symbol, StringComparer.Ordinal);
            hash.Add(frame.Line);
        }

        _hash = hash.ToHashCode();
    }

    public bool Equals(LogicalStackKey? other)
    {
        if (other is null || other._hash != _hash || other._frames.Length != _frames.Length)
        {
            return false;
        }

        for (int i = 0; i < _frames.Length; i++)
        {
            var a = _frames[i];
            var b = other._frames[i];
            if (a.MethodHandle != b.MethodHandle || a.ILOffset != b.ILOffset || a.Line != b.Line
                || !string.Equals(a.Symbol, b.Symbol, StringComparison.Ordinal)
                || !string.Equals(a.FileName, b.FileName, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    public override bool Equals(object? obj) => Equals(obj as LogicalStackKey);

    public override int GetHashCode() => _hash;
}
