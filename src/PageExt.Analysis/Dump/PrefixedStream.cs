namespace PageExt.Analysis.Dump;

/// <summary>A read-only stream that replays bytes already read (the format sniff) before the rest of the source.</summary>
internal sealed class PrefixedStream(ReadOnlyMemory<byte> prefix, Stream inner, bool ownsInner)
    : ReadOnlyForwardStream(inner, ownsInner)
{
    private readonly ReadOnlyMemory<byte> _prefix = prefix;
    private int _prefixPosition;

    public override int Read(Span<byte> buffer)
    {
        if (_prefixPosition < _prefix.Length)
        {
            int n = Math.Min(buffer.Length, _prefix.Length - _prefixPosition);
            _prefix.Span.Slice(_prefixPosition, n).CopyTo(buffer);
            _prefixPosition += n;
            return n;
        }

        return Inner.Read(buffer);
    }
}
