namespace PageExt.Analysis.Dump;

/// <summary>
/// What the lines after a record's header can be, in every generation of print_page_owner(): the
/// "PFN" line, stack frames, "Page has been migrated, last migrate reason: %s" (4.4+), and the memcg
/// lines of print_page_owner_memcg() (5.19+): "Slab cache page" and "Charged %sto %smemcg %s".
/// </summary>
internal static class RecordLines
{
    /// <summary>A stack frame: stack_trace_snprint's " %pS" (every kernel since 3.19 indents by one
    /// space), or a frame that lost its indent, "[&lt;addr&gt;] sym" (3.19-4.x) or "[0xaddr] sym+dec" (-mm).</summary>
    public static bool IsFrame(ReadOnlySpan<byte> line) =>
        !line.IsEmpty && (line[0] == ' ' || line.StartsWith("[<"u8) || line.StartsWith("[0x"u8));

    /// <summary>A line page_owner prints after the header that is not a frame.</summary>
    public static bool IsField(ReadOnlySpan<byte> line) =>
        line.StartsWith("PFN"u8)
        || line.StartsWith("Page has been migrated, last migrate reason: "u8)
        || line.StartsWith("Charged "u8)
        || line.SequenceEqual("Slab cache page"u8);

    /// <summary>Neither a frame nor a line page_owner prints (the header is not asked about).</summary>
    public static bool IsUnrecognised(ReadOnlySpan<byte> line) => !IsFrame(line) && !IsField(line);

    /// <summary>
    /// The frame as it identifies a call path: without its indent, and without the "[&lt;addr&gt;] " or
    /// "[0xaddr] " address, which KASLR and module load addresses change from boot to boot.
    /// </summary>
    public static ReadOnlySpan<byte> FrameIdentity(ReadOnlySpan<byte> frame)
    {
        frame = frame.TrimStart(" \t"u8);
        if (frame.StartsWith("[<"u8) || frame.StartsWith("[0x"u8))
        {
            int close = frame.IndexOf("] "u8);
            if (close > 0)
            {
                frame = frame[(close + 2)..];
            }
        }

        return frame;
    }
}
