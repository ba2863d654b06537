namespace PageExt.Analysis.Sort;

/// <summary>A finished group, as the comparators and writers see it.</summary>
internal sealed class SortedGroup
{
    public SortedGroup(ReadOnlyMemory<byte> text, ReadOnlyMemory<byte> comm)
    {
        Bind(text, comm);
    }

    /// <summary>The surviving record's text (its first line, frames, and the optional lines).</summary>
    public ReadOnlyMemory<byte> Text { get; private set; }

    /// <summary>page_owner_sort's "stacktrace": the text after its first newline.</summary>
    public ReadOnlyMemory<byte> StackTrace { get; private set; }

    public ReadOnlyMemory<byte> Comm { get; private set; }

    public long Count { get; set; }

    public long Pages { get; set; }

    public int Pid { get; set; }

    public int Tgid { get; set; }

    public int Allocator { get; set; }

    public ulong TimestampNs { get; set; }

    public ulong FreeTimestampNs { get; set; }

    public long FirstLine { get; set; }

    /// <summary>Position in the cull order, for the external sort's second pass (0 otherwise).</summary>
    public long Rank { get; set; }

    /// <summary>The count as page_owner_sort's int prints it.</summary>
    public int CountAsInt => unchecked((int)Count);

    public int PagesAsInt => unchecked((int)Pages);

    /// <summary>
    /// Points a spent group at other bytes, so the external sort reuses one set of group objects
    /// for every run it spills instead of promoting a new set to gen 2 each time.
    /// </summary>
    public void Bind(ReadOnlyMemory<byte> text, ReadOnlyMemory<byte> comm)
    {
        Text = text;
        Comm = comm;
        int newline = text.Span.IndexOf((byte)'\n');
        StackTrace = newline < 0 ? ReadOnlyMemory<byte>.Empty : text[(newline + 1)..];
        Rank = 0;
    }

    public static ReadOnlySpan<byte> StackTraceOf(ReadOnlySpan<byte> text)
    {
        int newline = text.IndexOf((byte)'\n');
        return newline < 0 ? [] : text[(newline + 1)..];
    }
}
