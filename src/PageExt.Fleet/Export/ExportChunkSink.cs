using System.Globalization;
using PageExt.Analysis.Dump;
using PageExt.Analysis.Reports;
using PageExt.Analysis.Sort;

namespace PageExt.Fleet.Export;

/// <summary>
/// Breaks the records of one chunk into rows, on the chunk's parser thread. A stack is identified
/// by a 64-bit hash of its frame lines (the bytes `pageext top` groups stacks by), so the same
/// stack has the same id in every export; the frames of a stack are decoded only the first time
/// this sink meets it.
/// </summary>
internal sealed class ExportChunkSink : IRecordSink
{
    private readonly byte[] _frames = new byte[ChunkParser.MaxRecordBytes];
    private readonly Utf8Interner _interner = new();
    private readonly HashSet<long> _stacksSeen = [];

    public List<RecordRow> Rows { get; } = [];

    /// <summary>Stacks first met in this chunk (the merge keeps those not exported yet).</summary>
    public List<(long Id, string[] Frames)> NewStacks { get; } = [];

    public void Reset()
    {
        Rows.Clear();
        NewStacks.Clear();
        if (_stacksSeen.Count > 1 << 16)
        {
            _stacksSeen.Clear();
        }
    }

    public void Accept(in RawRecord record, List<DumpDiagnostic> diagnostics)
    {
        var text = record.Text;
        int firstEnd = text.IndexOf((byte)'\n');
        var first = firstEnd < 0 ? text : text[..firstEnd];
        var row = new RecordRow { RecordIndex = Rows.Count, Line = record.Line };
        var outOfRange = new List<string>(0);

        var orderCapture = KernelFields.FindOrder(first);
        if (orderCapture.Found)
        {
            if (KernelFields.TryParseDigits(first[orderCapture.Start..orderCapture.End], out ulong order) && order <= 64)
            {
                row.Order = (int)order;
                row.Pages = order <= 40 ? 1L << (int)order : 0;
            }
            else
            {
                outOfRange.Add("order");
            }
        }

        ParseMask(first, ref row);
        row.Pid = Pid(text, KernelFields.FindPid(first), "pid", outOfRange);
        row.Tgid = Pid(text, KernelFields.FindTgid(first), "tgid", outOfRange);
        var comm = KernelFields.FindComm(text);
        row.Comm = comm.Found ? _interner.Get(text[comm.Start..comm.End]) : null;
        row.TimestampNs = Nanoseconds(text, KernelFields.FindTimestamp(text), "ts", outOfRange);
        row.FreeTimestampNs = Nanoseconds(text, KernelFields.FindFreeTimestamp(text), "free_ts", outOfRange);
        ParsePfnLine(record.OwnPfnLine, ref row);
        row.Allocator = AllocatorName(KernelFields.Allocator(text, record.PfnAllocator));
        row.StackId = Stack(text, firstEnd);
        if (outOfRange.Count > 0)
        {
            diagnostics.Add(new DumpDiagnostic(record.Line, DiagnosticKind.NumberOutOfRange,
                "out-of-range " + string.Join(", ", outOfRange) + "; exported as null, record kept"));
        }

        Rows.Add(row);
    }

    private static int? Pid(ReadOnlySpan<byte> text, KernelFields.Capture capture, string name, List<string> outOfRange)
    {
        if (!capture.Found || capture.Length == 0)
        {
            return null;
        }

        if (!KernelFields.TryParseDigits(text[capture.Start..capture.End], out ulong value) || value > int.MaxValue)
        {
            outOfRange.Add(name);
            return null;
        }

        return (int)value;
    }

    private static long? Nanoseconds(ReadOnlySpan<byte> text, KernelFields.Capture capture, string name, List<string> outOfRange)
    {
        if (!capture.Found || capture.Length == 0)
        {
            return null;
        }

        if (!KernelFields.TryParseDigits(text[capture.Start..capture.End], out ulong value) || value > long.MaxValue)
        {
            outOfRange.Add(name);
            return null;
        }

        return (long)value;
    }

    /// <summary>"mask 0x152cca(GFP_HIGHUSER_MOVABLE|__GFP_COMP)"; 4.x printed the flags alone as "mask GFP_..".</summary>
    private void ParseMask(ReadOnlySpan<byte> first, ref RecordRow row)
    {
        int at = first.IndexOf("mask "u8);
        if (at < 0)
        {
            return;
        }

        var rest = first[(at + 5)..];
        int end = rest.IndexOfAny("(, "u8);
        var mask = end < 0 ? rest : rest[..end];
        if (mask.StartsWith("0x"u8) && long.TryParse(mask[2..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out long value))
        {
            row.GfpMask = value;
        }

        if (end >= 0 && rest[end] == '(')
        {
            int close = rest.IndexOf((byte)')');
            if (close > end + 1)
            {
                row.GfpFlags = _interner.Get(rest[(end + 1)..close]);
            }
        }
        else if (!mask.StartsWith("0x"u8) && !mask.IsEmpty)
        {
            row.GfpFlags = _interner.Get(mask);
        }
    }

    /// <summary>"PFN 0x100 type Movable Block 0 type Movable Flags ..." (older kernels print the PFN in decimal).</summary>
    private void ParsePfnLine(ReadOnlySpan<byte> line, ref RecordRow row)
    {
        if (!line.StartsWith("PFN "u8))
        {
            return;
        }

        var rest = line[4..];
        int end = rest.IndexOf((byte)' ');
        var number = end < 0 ? rest : rest[..end];
        if (number.StartsWith("0x"u8)
            ? long.TryParse(number[2..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out long pfn)
            : long.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out pfn))
        {
            row.Pfn = pfn;
        }

        row.Migratetype = WordAfter(line, "type "u8, out int typeEnd) is { Length: > 0 } type ? _interner.Get(type) : null;
        if (typeEnd > 0)
        {
            var block = line[typeEnd..];
            int blockType = block.IndexOf("type "u8);
            if (block.IndexOf("Block "u8) >= 0 && blockType >= 0)
            {
                var word = WordAfter(block[blockType..], "type "u8, out _);
                row.BlockType = word.IsEmpty ? null : _interner.Get(word);
            }
        }
    }

    private static ReadOnlySpan<byte> WordAfter(ReadOnlySpan<byte> line, ReadOnlySpan<byte> literal, out int end)
    {
        int at = line.IndexOf(literal);
        if (at < 0)
        {
            end = -1;
            return [];
        }

        int start = at + literal.Length;
        int length = line[start..].IndexOf((byte)' ');
        end = length < 0 ? line.Length : start + length;
        return line[start..end];
    }

    private long Stack(ReadOnlySpan<byte> text, int firstEnd)
    {
        int length = 0;
        int count = 0;
        var lines = firstEnd < 0 ? [] : text[(firstEnd + 1)..];
        while (!lines.IsEmpty)
        {
            int end = lines.IndexOf((byte)'\n');
            var line = end < 0 ? lines : lines[..(end + 1)];
            lines = end < 0 ? [] : lines[(end + 1)..];
            if (line.StartsWith(" "u8) || line.StartsWith("[<"u8) || line.StartsWith("[0x"u8))
            {
                line.CopyTo(_frames.AsSpan(length));
                length += line.Length;
                count++;
            }
        }

        var frames = _frames.AsSpan(0, length);
        long id = unchecked((long)ByteHash.Hash(frames));
        if (_stacksSeen.Add(id))
        {
            var names = new string[count];
            int i = 0;
            while (!frames.IsEmpty)
            {
                int end = frames.IndexOf((byte)'\n');
                var line = end < 0 ? frames : frames[..end];
                frames = end < 0 ? [] : frames[(end + 1)..];
                names[i++] = System.Text.Encoding.UTF8.GetString(line.TrimStart((byte)' '));
            }

            NewStacks.Add((id, names));
        }

        return id;
    }

    private static string AllocatorName(int allocator) => allocator switch
    {
        KernelFields.AllocatorOthers => "OTHERS",
        KernelFields.AllocatorSlab => "SLAB",
        KernelFields.AllocatorCma => "CMA",
        KernelFields.AllocatorVmalloc => "VMALLOC",
        _ => string.Join(' ', SortTextWriter.AllocatorNames(allocator)),
    };
}
