namespace PageExt.Analysis.Sort;

/// <summary>
/// The smallest and largest value seen of one int field. page_owner_sort compares ints by
/// subtracting them in C int arithmetic; the difference wraps, and the comparator stops being an
/// order, only when two values lie 2^31 or more apart.
/// </summary>
internal struct IntRange
{
    private long _min;
    private long _max;
    private bool _any;

    public void Add(int value)
    {
        if (!_any)
        {
            _min = _max = value;
            _any = true;
            return;
        }

        _min = Math.Min(_min, value);
        _max = Math.Max(_max, value);
    }

    public readonly bool Wraps => _any && _max - _min >= 1L << 31;
}
