using System.Text;

namespace PageExt.Analysis.Text;

/// <summary>
/// Reads a small kernel text (a dmesg, a page_owner_stacks or /proc file) line by line as strings.
/// These texts are kilobytes to a few megabytes, unlike dumps, so strings cost nothing that matters;
/// a line longer than <see cref="MaxLineChars"/> is cut there (printk caps a record at 1 KiB, so
/// only junk is that long) and the cut is reported, so a hostile input cannot grow one string
/// without bound. CR before LF is dropped.
/// </summary>
internal sealed class TextLines : IDisposable
{
    public const int MaxLineChars = 16 * 1024;

    private readonly StreamReader _reader;
    private readonly StringBuilder _line = new();
    private readonly char[] _buffer = new char[1 << 16];
    private int _start;
    private int _end;
    private bool _eof;

    public TextLines(Stream input)
    {
        // Latin-1 maps every byte to one char, so binary junk cannot throw and offsets stay bytes.
        _reader = new StreamReader(input, Encoding.Latin1, detectEncodingFromByteOrderMarks: false, bufferSize: 1 << 16, leaveOpen: true);
    }

    /// <summary>The 1-based number of the line last returned.</summary>
    public long LineNumber { get; private set; }

    /// <summary>True when the line last returned was cut at <see cref="MaxLineChars"/>.</summary>
    public bool WasCut { get; private set; }

    /// <summary>True when the line last returned held a NUL byte, which no kernel text does.</summary>
    public bool HadNul { get; private set; }

    public string? Next()
    {
        _line.Clear();
        WasCut = false;
        while (true)
        {
            if (_start == _end)
            {
                _start = 0;
                _end = _eof ? 0 : _reader.Read(_buffer, 0, _buffer.Length);
                if (_end == 0)
                {
                    _eof = true;
                    if (_line.Length == 0 && !WasCut)
                    {
                        return null;
                    }

                    break;
                }
            }

            var span = _buffer.AsSpan(_start, _end - _start);
            int newline = span.IndexOf('\n');
            var part = newline < 0 ? span : span[..newline];
            int room = MaxLineChars - _line.Length;
            if (part.Length > room)
            {
                WasCut = true;
                part = part[..room];
            }

            _line.Append(part);
            _start = newline < 0 ? _end : _start + newline + 1;
            if (newline >= 0)
            {
                break;
            }
        }

        LineNumber++;
        if (_line.Length > 0 && _line[^1] == '\r')
        {
            _line.Length--;
        }

        string line = _line.ToString();
        HadNul = line.Contains('\0', StringComparison.Ordinal);
        return line;
    }

    /// <summary>
    /// The next line that holds no NUL byte, reporting each line skipped for one as binary data:
    /// what every reader of a kernel text does with them.
    /// </summary>
    public string? NextText(TextDiagnostics diagnostics)
    {
        while (Next() is { } line)
        {
            if (!HadNul)
            {
                return line;
            }

            diagnostics.Add(LineNumber, TextSeverity.Skipped, "binary data (NUL bytes)");
        }

        return null;
    }

    public void Dispose() => _reader.Dispose();
}
