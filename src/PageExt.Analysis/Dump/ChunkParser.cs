using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Text;

namespace PageExt.Analysis.Dump;

/// <summary>
/// Splits one chunk into records and hands each to a sink. This is where malformed input is caught:
/// CR LF endings, records glued together without a blank line, paragraphs that are not records,
/// NUL bytes, over-long records, a last record without its blank line, and lines inside a record that
/// no kernel prints there. Each case is repaired, skipped or kept as read, and always reported;
/// page_owner_sort instead merges, truncates or drops such records, or keeps such lines, silently.
/// </summary>
internal sealed class ChunkParser
{
    /// <summary>page_owner_sort's BUF_SIZE: a record that does not fit ends its input. Real records
    /// are a few KiB, so anything longer is reported and skipped here.</summary>
    public const int MaxRecordBytes = 128 * 1024;

    private const int MaxPfnLineBytes = 4096;

    /// <summary>Lines not starting with a space that the whole-record path classifies itself: a real
    /// record has one to three (PFN, migrate reason, memcg). More go the line-by-line way.</summary>
    private const int MaxOddLines = 8;

    /// <summary>How much of an unrecognised line its diagnostic quotes.</summary>
    private const int QuotedLineBytes = 60;

    private static ReadOnlySpan<byte> Header => "Page allocated via "u8;

    private readonly DumpChunk _chunk;
    private readonly IRecordSink _sink;
    private readonly bool _keepPfnLines;
    [ThreadStatic]
    private static byte[]? t_text;

    [ThreadStatic]
    private static byte[]? t_pfnLine;

    private readonly byte[] _text = t_text ??= new byte[MaxRecordBytes];
    private readonly byte[] _pfnLine = t_pfnLine ??= new byte[MaxPfnLineBytes];
    private readonly List<DumpDiagnostic> _diagnostics = [];
    private int _textLength;
    private int _pfnLineLength;
    private int _pfnAllocator;
    private bool _inParagraph;
    private bool _isRecord;
    private bool _binary;
    private bool _tooLong;
    private long _paragraphLine;
    private long _lastLine;
    private long _records;
    private int _unrecognisedLines;
    private long _firstUnrecognisedLine;
    private long _lastUnrecognisedLine;
    private string? _firstUnrecognisedText;

    // Where the scan is: byte offset in the chunk, the 1-based number of the last line read, and
    // the counts the outcome reports.
    private int _pos;
    private long _line;
    private long _newlines;
    private long _crlfLines;
    private long _firstCrlfLine;

    /// <summary>Chunk offset of the first "\n\n" at or after the last search's start; int.MaxValue when none; -1 before the first search.</summary>
    private int _nextBlank = -1;

    private ChunkParser(DumpChunk chunk, IRecordSink sink, bool keepPfnLines)
    {
        _chunk = chunk;
        _sink = sink;
        _keepPfnLines = keepPfnLines;
        _pfnAllocator = chunk.InheritedPfnAllocator;
    }

    /// <summary>Parses <paramref name="chunk"/> into <paramref name="sink"/>; line numbers in the result are chunk-relative.</summary>
    public static ChunkOutcome Parse(DumpChunk chunk, IRecordSink sink, bool keepPfnLines)
    {
        var parser = new ChunkParser(chunk, sink, keepPfnLines);
        return parser.Run();
    }

    /// <summary>
    /// Whole records in a few vectorised passes where the input allows (<see cref="TryWholeRecord"/>),
    /// everything else line by line; a chunk that begins inside a paragraph first skips to its end.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private ChunkOutcome Run()
    {
        var data = _chunk.Buffer.AsSpan(0, _chunk.Length);
        bool continuation = _chunk.StartsInsideParagraph;

        // One vectorised pass decides whether lines need the slower NUL-aware scan.
        bool chunkHasNul = data.Contains((byte)0);
        while (_pos < data.Length)
        {
            if (!continuation && !_inParagraph && TryWholeRecord(data[_pos..], _line + 1, chunkHasNul, out int consumed, out int lines))
            {
                _pos += consumed;
                _line += lines;
                _newlines += lines;
                continue;
            }

            var content = NextLine(data, chunkHasNul, out bool hasNul);
            if (continuation)
            {
                continuation = ContinuesParagraph(content);
                if (!content.StartsWith(Header))
                {
                    continue;
                }
            }

            ParseLine(content, hasNul);
        }

        return Finish();
    }

    /// <summary>Steps over the next line (line <see cref="_line"/> after the call) and returns it without its LF or CR LF.</summary>
    private ReadOnlySpan<byte> NextLine(ReadOnlySpan<byte> data, bool chunkHasNul, out bool hasNul)
    {
        _line++;
        var rest = data[_pos..];
        int end = rest.IndexOf((byte)'\n');
        hasNul = chunkHasNul && (end < 0 ? rest : rest[..end]).Contains((byte)0);

        ReadOnlySpan<byte> content;
        if (end < 0)
        {
            content = rest;
            _pos = data.Length;
        }
        else
        {
            content = rest[..end];
            _pos += end + 1;
            _newlines++;
        }

        if (!content.IsEmpty && content[^1] == '\r')
        {
            content = content[..^1];
            if (_crlfLines++ == 0)
            {
                _firstCrlfLine = _line;
            }
        }

        return content;
    }

    /// <summary>
    /// A line of the paragraph this chunk began inside, whose start the chunk that holds it
    /// reported: false once the paragraph ends (a blank line, or a header that starts a record).
    /// A PFN line still counts for the allocator the next record inherits.
    /// </summary>
    private bool ContinuesParagraph(ReadOnlySpan<byte> content)
    {
        if (content.IsEmpty || content.StartsWith(Header))
        {
            return false;
        }

        if (content.StartsWith("PFN"u8))
        {
            _pfnAllocator = KernelFields.PfnLineAllocator(content);
        }

        return true;
    }

    /// <summary>One line of the line-by-line path: a blank ends the paragraph, a header starts a record, any other line joins the paragraph.</summary>
    private void ParseLine(ReadOnlySpan<byte> content, bool hasNul)
    {
        if (content.IsEmpty)
        {
            if (_inParagraph)
            {
                EndParagraph(missingBlankBeforeLine: 0);
            }

            return;
        }

        if (content.StartsWith(Header))
        {
            if (_inParagraph)
            {
                EndParagraph(missingBlankBeforeLine: _line);
            }

            StartParagraph(_line, isRecord: true);
            Append(content, hasNul);
            return;
        }

        if (!_inParagraph)
        {
            StartParagraph(_line, isRecord: false);
        }

        _lastLine = _line;
        if (content.StartsWith("PFN"u8) && !KeepPfnLine(content, hasNul))
        {
            return;
        }

        if (_isRecord)
        {
            if (RecordLines.IsUnrecognised(content))
            {
                NoteUnrecognised(_line, content);
            }

            Append(content, hasNul);
        }
        else
        {
            _binary |= hasNul;
        }
    }

    /// <summary>
    /// Notes a PFN line's allocator and, inside a record, keeps the line for the sink. Returns whether
    /// it also stays in the record's text (the 2014 format's culling needs it there).
    /// </summary>
    private bool KeepPfnLine(ReadOnlySpan<byte> content, bool hasNul)
    {
        _pfnAllocator = KernelFields.PfnLineAllocator(content);
        if (_isRecord)
        {
            int n = Math.Min(content.Length, MaxPfnLineBytes);
            content[..n].CopyTo(_pfnLine);
            _pfnLineLength = n;
        }

        if (!_keepPfnLines)
        {
            _binary |= hasNul;
        }

        return _keepPfnLines;
    }

    /// <summary>Closes a paragraph left open at the chunk's end and reports an input cut short.</summary>
    private ChunkOutcome Finish()
    {
        if (_inParagraph)
        {
            EndChunkInsideParagraph(_line);
        }

        if (_chunk.IsFinal && _chunk.TruncationReason is not null)
        {
            _diagnostics.Add(new DumpDiagnostic(Math.Max(_line, 1), DiagnosticKind.TruncatedInput,
                $"the input ends early: {_chunk.TruncationReason}"));
        }

        return new ChunkOutcome(_newlines, _records, _crlfLines, _firstCrlfLine, _diagnostics);
    }

    /// <summary>
    /// The common case in a few vectorised passes instead of line by line: a record that starts here,
    /// ends with a blank line, and holds no CR, no NUL, no second header, at most one PFN line and few
    /// lines that do not start with a space. Anything else returns false and goes through the
    /// line-by-line path, which handles every case and reports the same diagnostics.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool TryWholeRecord(ReadOnlySpan<byte> rest, long line, bool chunkHasNul, out int consumed, out int lines)
    {
        consumed = 0;
        lines = 0;
        if (!rest.StartsWith(Header))
        {
            return false;
        }

        int end = NextBlankLine();
        if (end < 0 || end + 1 > MaxRecordBytes)
        {
            return false;
        }

        var paragraph = rest[..(end + 1)];
        if ((chunkHasNul && paragraph.Contains((byte)0)) || paragraph.Contains((byte)'\r'))
        {
            return false;
        }

        // One pass counts the lines and finds every line that does not start with a space: the PFN
        // line, the migrate and memcg lines, a second header glued on, and lines no kernel prints.
        Span<int> oddStarts = stackalloc int[MaxOddLines];
        int newlines = ScanLines(paragraph, oddStarts, out int odd);
        if (odd > MaxOddLines)
        {
            return false;
        }

        int pfnStart = -1;
        int unrecognised = 0;
        int firstUnrecognised = 0;
        int lastUnrecognised = 0;
        foreach (int start in oddStarts[..odd])
        {
            var oddLine = paragraph[start..];
            oddLine = oddLine[..oddLine.IndexOf((byte)'\n')];
            if (oddLine.StartsWith(Header))
            {
                return false;
            }

            if (oddLine.StartsWith("PFN"u8))
            {
                if (pfnStart >= 0)
                {
                    return false;
                }

                pfnStart = start;
            }
            else if (RecordLines.IsUnrecognised(oddLine))
            {
                firstUnrecognised = unrecognised++ == 0 ? start : firstUnrecognised;
                lastUnrecognised = start;
            }
        }

        int textLength;
        int pfnLineLength = 0;
        if (pfnStart < 0)
        {
            paragraph.CopyTo(_text);
            textLength = paragraph.Length;
        }
        else
        {
            int pfnEnd = pfnStart + paragraph[pfnStart..].IndexOf((byte)'\n');
            var pfnLine = paragraph[pfnStart..pfnEnd];
            _pfnAllocator = KernelFields.PfnLineAllocator(pfnLine);
            pfnLineLength = Math.Min(pfnLine.Length, MaxPfnLineBytes);
            pfnLine[..pfnLineLength].CopyTo(_pfnLine);
            if (_keepPfnLines)
            {
                paragraph.CopyTo(_text);
                textLength = paragraph.Length;
            }
            else
            {
                paragraph[..pfnStart].CopyTo(_text);
                paragraph[(pfnEnd + 1)..].CopyTo(_text.AsSpan(pfnStart));
                textLength = paragraph.Length - (pfnEnd + 1 - pfnStart);
            }
        }

        consumed = end + 2;
        lines = newlines + 1;
        _records++;
        var record = new RawRecord(_text.AsSpan(0, textLength), _pfnLine.AsSpan(0, pfnLineLength), _pfnAllocator, line);
        _sink.Accept(in record, _diagnostics);
        if (unrecognised > 0)
        {
            var first = paragraph[firstUnrecognised..];
            ReportUnrecognised(
                line + paragraph[..firstUnrecognised].Count((byte)'\n'),
                Quote(first[..first.IndexOf((byte)'\n')]),
                unrecognised,
                line + paragraph[..lastUnrecognised].Count((byte)'\n'));
        }

        return true;
    }

    /// <summary>
    /// Where the next "\n\n" is, relative to <see cref="_pos"/>; -1 when the chunk has none left.
    /// The search runs once and its answer holds until the scan passes it: a chunk whose records all
    /// miss the fast path (CR LF endings hold no "\n\n") would otherwise be searched to its end for
    /// every record, quadratic in the chunk.
    /// </summary>
    private int NextBlankLine()
    {
        if (_nextBlank < _pos)
        {
            int found = _chunk.Buffer.AsSpan(_pos, _chunk.Length - _pos).IndexOf("\n\n"u8);
            _nextBlank = found < 0 ? int.MaxValue : _pos + found;
        }

        return _nextBlank == int.MaxValue ? -1 : _nextBlank - _pos;
    }

    /// <summary>
    /// Counts the newlines of <paramref name="paragraph"/> (which ends with one) and collects the start
    /// of every line after the first whose first byte is not a space, up to the length of
    /// <paramref name="oddStarts"/>; <paramref name="odd"/> counts them all.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int ScanLines(ReadOnlySpan<byte> paragraph, Span<int> oddStarts, out int odd)
    {
        ref byte data = ref MemoryMarshal.GetReference(paragraph);
        int newlines = 0;
        odd = 0;
        int i = 0;

        // Each step compares a block with '\n' and the block one byte later with ' '; the loads stay
        // inside the paragraph, so its final newline is always left to the scalar tail.
        if (Vector256.IsHardwareAccelerated)
        {
            for (; i + Vector256<byte>.Count < paragraph.Length; i += Vector256<byte>.Count)
            {
                var isNewline = Vector256.Equals(Vector256.LoadUnsafe(ref data, (nuint)i), Vector256.Create((byte)'\n'));
                uint bits = isNewline.ExtractMostSignificantBits();
                if (bits != 0)
                {
                    newlines += BitOperations.PopCount(bits);
                    var nextIsSpace = Vector256.Equals(Vector256.LoadUnsafe(ref data, (nuint)i + 1), Vector256.Create((byte)' '));
                    AddOddStarts(Vector256.AndNot(isNewline, nextIsSpace).ExtractMostSignificantBits(), i, oddStarts, ref odd);
                }
            }
        }
        else if (Vector128.IsHardwareAccelerated)
        {
            for (; i + Vector128<byte>.Count < paragraph.Length; i += Vector128<byte>.Count)
            {
                var isNewline = Vector128.Equals(Vector128.LoadUnsafe(ref data, (nuint)i), Vector128.Create((byte)'\n'));
                uint bits = isNewline.ExtractMostSignificantBits();
                if (bits != 0)
                {
                    newlines += BitOperations.PopCount(bits);
                    var nextIsSpace = Vector128.Equals(Vector128.LoadUnsafe(ref data, (nuint)i + 1), Vector128.Create((byte)' '));
                    AddOddStarts(Vector128.AndNot(isNewline, nextIsSpace).ExtractMostSignificantBits(), i, oddStarts, ref odd);
                }
            }
        }

        for (; i < paragraph.Length; i++)
        {
            if (paragraph[i] == '\n')
            {
                newlines++;
                if (i + 1 < paragraph.Length && paragraph[i + 1] != ' ')
                {
                    AddOddStarts(1, i, oddStarts, ref odd);
                }
            }
        }

        return newlines;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddOddStarts(uint newlineBits, int blockStart, Span<int> oddStarts, ref int odd)
    {
        while (newlineBits != 0)
        {
            if (odd < oddStarts.Length)
            {
                oddStarts[odd] = blockStart + BitOperations.TrailingZeroCount(newlineBits) + 1;
            }

            odd++;
            newlineBits &= newlineBits - 1;
        }
    }

    private void NoteUnrecognised(long line, ReadOnlySpan<byte> content)
    {
        if (_unrecognisedLines++ == 0)
        {
            _firstUnrecognisedLine = line;
            _firstUnrecognisedText = Quote(content);
        }

        _lastUnrecognisedLine = line;
    }

    /// <summary>One diagnostic per record, at its first unrecognised line, so that a hostile record of
    /// thousands of short lines costs one entry, not thousands.</summary>
    private void ReportUnrecognised(long firstLine, string firstText, int count, long lastLine)
    {
        string more = count == 1 ? string.Empty
            : $" ({count - 1} more such line{(count == 2 ? "" : "s")} in this record, the last at line {lastLine})";
        _diagnostics.Add(new DumpDiagnostic(firstLine, DiagnosticKind.UnrecognisedLine,
            $"\"{firstText}\" is neither a stack frame nor a line page_owner prints{more}; kept in the record's text, as page_owner_sort keeps it"));
    }

    /// <summary>The start of a line, safe to print on a terminal: control bytes become '?'.</summary>
    private static string Quote(ReadOnlySpan<byte> line)
    {
        var shown = line[..Math.Min(line.Length, QuotedLineBytes)];
        Span<byte> copy = stackalloc byte[shown.Length];
        for (int i = 0; i < shown.Length; i++)
        {
            copy[i] = shown[i] < 0x20 || shown[i] == 0x7f ? (byte)'?' : shown[i];
        }

        return Encoding.UTF8.GetString(copy) + (line.Length > shown.Length ? "..." : string.Empty);
    }

    private void EndChunkInsideParagraph(long line)
    {
        if (_chunk.EndsInsideParagraph)
        {
            if (_isRecord && !_binary)
            {
                _diagnostics.Add(new DumpDiagnostic(_paragraphLine, DiagnosticKind.RecordTooLong,
                    $"the record has no blank line within {_chunk.Buffer.Length} bytes"));
                _inParagraph = false;
                return;
            }

            EndParagraph(missingBlankBeforeLine: 0);
            return;
        }

        if (!_chunk.IsFinal)
        {
            // The reader cut this chunk just before a record header, so the next line starts a record.
            EndParagraph(missingBlankBeforeLine: line + 1);
            return;
        }

        if (_isRecord && _chunk.TruncationReason is not null)
        {
            _diagnostics.Add(new DumpDiagnostic(_paragraphLine, DiagnosticKind.TruncatedInput,
                "the last record is cut off by the end of the input"));
            _inParagraph = false;
            return;
        }

        if (_isRecord && !_binary && !_tooLong)
        {
            _diagnostics.Add(new DumpDiagnostic(_paragraphLine, DiagnosticKind.UnterminatedLastRecord,
                "the last record has no blank line after it; kept (page_owner_sort drops it)"));
        }

        EndParagraph(missingBlankBeforeLine: 0);
    }

    private void StartParagraph(long line, bool isRecord)
    {
        _inParagraph = true;
        _isRecord = isRecord;
        _binary = false;
        _tooLong = false;
        _textLength = 0;
        _pfnLineLength = 0;
        _paragraphLine = line;
        _lastLine = line;
        _unrecognisedLines = 0;
        _firstUnrecognisedText = null;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Append(ReadOnlySpan<byte> content, bool hasNul)
    {
        _binary |= hasNul;
        if (_tooLong || _textLength + content.Length + 1 > MaxRecordBytes)
        {
            _tooLong = true;
            return;
        }

        content.CopyTo(_text.AsSpan(_textLength));
        _textLength += content.Length;
        _text[_textLength++] = (byte)'\n';
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void EndParagraph(long missingBlankBeforeLine)
    {
        _inParagraph = false;
        if (!_isRecord)
        {
            string lines = _lastLine > _paragraphLine ? $"lines {_paragraphLine}-{_lastLine}" : $"line {_paragraphLine}";
            _diagnostics.Add(_binary
                ? new DumpDiagnostic(_paragraphLine, DiagnosticKind.BinaryData, $"{lines} hold binary data (NUL bytes), not a page_owner record")
                : new DumpDiagnostic(_paragraphLine, DiagnosticKind.NotARecord, $"{lines} do not start with \"Page allocated via\", not a page_owner record"));
            return;
        }

        if (_binary)
        {
            _diagnostics.Add(new DumpDiagnostic(_paragraphLine, DiagnosticKind.BinaryData, "the record holds NUL bytes (binary data)"));
            return;
        }

        if (_tooLong)
        {
            _diagnostics.Add(new DumpDiagnostic(_paragraphLine, DiagnosticKind.RecordTooLong,
                $"the record is longer than {MaxRecordBytes} bytes (a real one is a few KiB)"));
            return;
        }

        // Diagnostics in line order: the sink's at the header, then the record's own lines, then the
        // header that should have been preceded by a blank line.
        _records++;
        var record = new RawRecord(_text.AsSpan(0, _textLength), _pfnLine.AsSpan(0, _pfnLineLength), _pfnAllocator, _paragraphLine);
        _sink.Accept(in record, _diagnostics);
        if (_unrecognisedLines > 0)
        {
            ReportUnrecognised(_firstUnrecognisedLine, _firstUnrecognisedText!, _unrecognisedLines, _lastUnrecognisedLine);
        }

        if (missingBlankBeforeLine > 0)
        {
            _diagnostics.Add(new DumpDiagnostic(missingBlankBeforeLine, DiagnosticKind.MissingBlankLine,
                $"no blank line between this record and the one at line {_paragraphLine}; split into two records"));
        }
    }
}
