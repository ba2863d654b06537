using System.Text;
using PageExt.Analysis.Dmesg;
using PageExt.Analysis.Dump;
using PageExt.Analysis.Text;

namespace PageExt.Analysis.Inputs;

/// <summary>
/// An opened input and what kind of kernel text it is. The head read to tell is replayed before the
/// rest, so the stream reads as if untouched (a pipe can be sniffed too).
/// </summary>
internal sealed class KernelText : IDisposable
{
    private KernelText(InputKind kind, Stream stream)
    {
        Kind = kind;
        Stream = stream;
    }

    public InputKind Kind { get; }

    public Stream Stream { get; }

    /// <summary>Reads the head of <paramref name="input"/> (already decompressed) and tells its kind; the returned object owns the stream.</summary>
    public static KernelText Open(Stream input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var head = new byte[InputDetector.HeadBytes];
        int got = 0;
        while (got < head.Length)
        {
            int n = input.Read(head, got, head.Length - got);
            if (n == 0)
            {
                break;
            }

            got += n;
        }

        var kind = InputDetector.Detect(head.AsSpan(0, got));
        return new KernelText(kind, new PrefixedStream(head.AsMemory(0, got), input, ownsInner: true));
    }

    /// <summary>The kind as a user names it, for messages.</summary>
    public static string Describe(InputKind kind) => kind switch
    {
        InputKind.PageOwnerDump => "a page_owner dump",
        InputKind.KernelLog => "a kernel log",
        InputKind.PageOwnerStacks => "a page_owner_stacks file (show_stacks, show_handles or show_stacks_handles)",
        InputKind.SortOutput => "page_owner_sort's output",
        InputKind.PageTypeInfo => "/proc/pagetypeinfo",
        InputKind.BuddyInfo => "/proc/buddyinfo",
        InputKind.ZoneInfo => "/proc/zoneinfo",
        InputKind.CrashPageOwner => "quic/crash-plugins' pageowner output",
        _ => "not a kernel text PageExt knows",
    };

    /// <summary>
    /// Reads a kernel log's reports and returns their page_owner records as a dump, in the debugfs
    /// format, for the record readers. The log itself is read to its end here: reports are small
    /// even when the log is not, so the records are held in memory, never the log.
    /// </summary>
    public static Stream RecordsOf(DmesgLog log)
    {
        ArgumentNullException.ThrowIfNull(log);
        var buffer = new MemoryStream();
        using (var writer = new StreamWriter(buffer, new UTF8Encoding(false), 1 << 12, leaveOpen: true) { NewLine = "\n" })
        {
            foreach (var report in log.WithOwner)
            {
                OwnerRecordWriter.Write(writer, report);
            }
        }

        buffer.Position = 0;
        return buffer;
    }

    public void Dispose() => Stream.Dispose();
}
