namespace PageExt.Analysis.Trace;

/// <summary>
/// Splits a trace stream into lines and feeds them to a <see cref="TraceReplay"/>: one reusable
/// buffer, lines handed over as spans into it, so reading costs no allocation per line and memory
/// does not grow with the trace. Reads to the end of the stream; a trace_pipe that never ends is
/// read until it is closed (Ctrl-C keeps nothing: the output is written at the end).
/// </summary>
internal static class TraceReader
{
    /// <summary>No real trace line comes near this (ftrace's own limit is a page); a longer one is skipped, named by its line number.</summary>
    public const int MaxLineBytes = 64 * 1024;

    private const int BufferBytes = 1 << 20;

    public static void Read(Stream input, TraceReplay replay, Action<long>? progress = null)
    {
        var buffer = new byte[BufferBytes];
        int start = 0;
        int end = 0;
        long line = 0;
        long bytes = 0;
        bool skipping = false;
        bool crlfSeen = false;
        while (true)
        {
            if (start > 0 && start == end)
            {
                start = end = 0;
            }
            else if (end == buffer.Length)
            {
                if (start > 0)
                {
                    Buffer.BlockCopy(buffer, start, buffer, 0, end - start);
                    end -= start;
                    start = 0;
                }
            }

            int read = input.Read(buffer, end, buffer.Length - end);
            bytes += read;
            progress?.Invoke(bytes);
            end += read;
            int scan = start;
            while (true)
            {
                int newline = buffer.AsSpan(scan, end - scan).IndexOf((byte)'\n');
                if (newline < 0)
                {
                    break;
                }

                int lineEnd = scan + newline;
                line++;
                if (skipping)
                {
                    skipping = false;
                }
                else if (lineEnd - start > MaxLineBytes)
                {
                    TooLong(buffer.AsSpan(start, 120), line, replay);
                }
                else
                {
                    Feed(buffer.AsSpan(start, lineEnd - start), line, replay, ref crlfSeen);
                }

                start = scan = lineEnd + 1;
            }

            if (end - start > MaxLineBytes)
            {
                if (!skipping)
                {
                    TooLong(buffer.AsSpan(start, 120), line + 1, replay);
                    skipping = true;
                }

                start = end;
            }

            if (read == 0)
            {
                break;
            }
        }

        if (end > start && !skipping)
        {
            line++;
            Feed(buffer.AsSpan(start, end - start), line, replay, ref crlfSeen);
        }

        replay.Finish();
        replay.Counts.Bytes = bytes;
    }

    private static void TooLong(ReadOnlySpan<byte> head, long line, TraceReplay replay) =>
        replay.Diagnostics.Add(line, $"line longer than {MaxLineBytes} bytes: skipped", head);

    private static void Feed(ReadOnlySpan<byte> text, long line, TraceReplay replay, ref bool crlfSeen)
    {
        if (!text.IsEmpty && text[^1] == '\r')
        {
            text = text[..^1];
            if (!crlfSeen)
            {
                crlfSeen = true;
                replay.Diagnostics.Add(line, "CRLF line endings: the CR is dropped from every line (reported once)");
            }
        }

        replay.Add(text, line);
    }
}
