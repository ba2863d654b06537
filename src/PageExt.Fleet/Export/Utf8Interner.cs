using PageExt.Analysis.Sort;

namespace PageExt.Fleet.Export;

/// <summary>
/// Decodes the small vocabulary of a dump (comms, gfp flag lists, migrate types) once and returns
/// the same string afterwards, so a million records cost a few hundred strings. Bounded: it starts
/// over when it holds <see cref="MaxEntries"/> strings (a hostile dump with a new comm per record).
/// </summary>
/// <remarks>Concurrency model: single-threaded; each chunk sink owns one.</remarks>
internal sealed class Utf8Interner
{
    private const int MaxEntries = 1 << 14;
    private readonly Dictionary<ulong, (byte[] Bytes, string Text)> _strings = [];

    public string Get(ReadOnlySpan<byte> bytes)
    {
        ulong hash = ByteHash.Hash(bytes);
        if (_strings.TryGetValue(hash, out var entry) && bytes.SequenceEqual(entry.Bytes))
        {
            return entry.Text;
        }

        string text = System.Text.Encoding.UTF8.GetString(bytes);
        if (_strings.Count >= MaxEntries)
        {
            _strings.Clear();
        }

        _strings[hash] = (bytes.ToArray(), text);
        return text;
    }
}
