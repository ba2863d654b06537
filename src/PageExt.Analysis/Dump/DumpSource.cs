namespace PageExt.Analysis.Dump;

/// <summary>
/// Opens a dump for reading: a file, or any stream (stdin, a pipe). Gzip is recognised by its magic
/// bytes rather than by the file name, so `zcat`-less pipelines and misnamed files both work. Nothing
/// here asks the stream for its length: pipes and debugfs files report 0 (page_owner_sort's
/// "max_size too small??").
/// </summary>
internal static class DumpSource
{
    private const int PeekBytes = 2;

    /// <summary>Opens <paramref name="path"/>, or wraps <paramref name="stdin"/> when the path is "-".</summary>
    public static Stream Open(string path, Func<Stream> stdin, out long knownLength)
    {
        if (path == "-")
        {
            knownLength = -1;
            return Wrap(stdin(), ownsStream: true);
        }

        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 1, FileOptions.SequentialScan);
        knownLength = file.CanSeek ? file.Length : -1;
        if (knownLength == 0)
        {
            // debugfs and procfs files report size 0 yet have content.
            knownLength = -1;
        }

        var stream = Wrap(file, ownsStream: true);
        if (stream is GzipCheckedStream)
        {
            // Progress counts decompressed bytes; the file length would not match them.
            knownLength = -1;
        }

        return stream;
    }

    /// <summary>Returns a stream of the dump's text, decompressing gzip when the data starts with its magic.</summary>
    public static Stream Wrap(Stream raw, bool ownsStream)
    {
        var prefix = new byte[PeekBytes];
        int got = 0;
        while (got < PeekBytes)
        {
            int n = raw.Read(prefix, got, PeekBytes - got);
            if (n == 0)
            {
                break;
            }

            got += n;
        }

        Stream joined = new PrefixedStream(prefix.AsMemory(0, got), raw, ownsStream);
        if (got == PeekBytes && prefix[0] == 0x1f && prefix[1] == 0x8b)
        {
            return new GzipCheckedStream(joined);
        }

        return joined;
    }
}
