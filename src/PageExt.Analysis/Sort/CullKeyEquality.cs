namespace PageExt.Analysis.Sort;

/// <summary>Groups are the same group when the cull comparator calls them equal; the hash covers the same fields.</summary>
internal sealed class CullKeyEquality : IEqualityComparer<SortedGroup>
{
    private readonly CullKeys _cull;
    private readonly Comparison<SortedGroup> _compare;

    public CullKeyEquality(CullKeys cull, CompatMode compat, Comparison<SortedGroup> compare)
    {
        _cull = compat == CompatMode.Y2014 ? CullKeys.None : cull;
        _compare = compare;
    }

    public bool Equals(SortedGroup? x, SortedGroup? y) => x is not null && y is not null && _compare(x, y) == 0;

    public int GetHashCode(SortedGroup group)
    {
        if (_cull == CullKeys.None)
        {
            return (int)ByteHash.Hash(group.Text.Span);
        }

        var hash = default(HashCode);
        if ((_cull & CullKeys.StackTrace) != 0)
        {
            hash.Add(ByteHash.Hash(group.StackTrace.Span));
        }

        if ((_cull & CullKeys.Pid) != 0)
        {
            hash.Add(group.Pid);
        }

        if ((_cull & CullKeys.Tgid) != 0)
        {
            hash.Add(group.Tgid);
        }

        if ((_cull & CullKeys.Comm) != 0)
        {
            hash.Add(ByteHash.Hash(group.Comm.Span));
        }

        if ((_cull & CullKeys.Free) != 0)
        {
            hash.Add(group.FreeTimestampNs != 0);
        }

        if ((_cull & CullKeys.Allocator) != 0)
        {
            hash.Add(group.Allocator);
        }

        return hash.ToHashCode();
    }
}
