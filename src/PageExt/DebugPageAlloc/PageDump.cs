using System.Diagnostics;
using System.Globalization;
using System.Text;
using PageExt.Buddy;
using PageExt.Pages;
using PageExt.Physical;
using PageExt.Tasks;

namespace PageExt.DebugPageAlloc;

/// <summary>
/// The parts of a kernel report that describe where and what: dump_stack() (the CPU/PID/Comm line
/// and the call trace of the reporting thread) and dump_page() (the page: / flags: / raw: lines and
/// "page dumped because:"), in the x86-64 v6.x spelling.
/// </summary>
internal static class PageDump
{
    /// <summary>
    /// Frames of the call trace printed: the allocator's own frames and the first callers. A kernel
    /// trace ends at the system call; a managed one runs on through the host (test runners, thread
    /// pools) with nothing more to say about the page.
    /// </summary>
    private const int MaxFrames = 12;

    /// <summary>dump_stack(): "CPU: n PID: n Comm: name Not tainted", then the managed call trace, innermost first.</summary>
    public static void AppendStack(StringBuilder text, int skipFrames)
    {
        int frames = 0;
        text.Append("CPU: ").Append(Thread.GetCurrentProcessorId().ToString(CultureInfo.InvariantCulture))
            .Append(" PID: ").Append(CurrentTask.Pid.ToString(CultureInfo.InvariantCulture))
            .Append(" Comm: ").Append(CurrentTask.Comm).Append(" Not tainted\n");
        text.Append("Call Trace:\n");

        // StackTrace.ToString() is the trimming- and AOT-safe way to get frame names; each line is
        // "   at Namespace.Type.Method(args)" with an optional " in file:line" we drop.
        foreach (var line in new StackTrace(skipFrames + 1, false).ToString().Split('\n'))
        {
            var frame = line.Trim();
            if (frame.StartsWith("at ", StringComparison.Ordinal))
            {
                frame = frame[3..];
            }

            int source = frame.IndexOf(" in ", StringComparison.Ordinal);
            if (source > 0)
            {
                frame = frame[..source];
            }

            if (frame.Length > 0 && frames++ < MaxFrames)
            {
                text.Append(' ').Append(frame).Append('\n');
            }
        }
    }

    /// <summary>dump_page(page, reason) for a page of <paramref name="allocator"/>'s machine.</summary>
    public static void AppendPage(StringBuilder text, PageAllocator allocator, Pfn pfn, string reason)
    {
        var page = allocator.GetPage(pfn);
        text.Append("page: refcount:").Append(page.RefCount.ToString(CultureInfo.InvariantCulture))
            .Append(" mapcount:0 mapping:0000000000000000 index:0x0 pfn:").Append(pfn.ToString()).Append('\n');
        text.Append("flags: ");
        AppendFlags(text, page.Flags);
        text.Append('\n');
        AppendRaw(text, page);
        text.Append("page dumped because: ").Append(reason).Append('\n');
    }

    /// <summary>%pGp: the value, then the set flags' names and the node and zone fields, '|'-separated.</summary>
    public static void AppendFlags(StringBuilder text, ulong flags)
    {
        text.Append("0x").Append(flags.ToString("x", CultureInfo.InvariantCulture)).Append('(');
        ulong names = flags & PageFlagsLayout.FlagsMask;
        while (names != 0)
        {
            ulong bit = names & (~names + 1);
            names &= ~bit;
            text.Append(FlagName((PageFlags)bit)).Append('|');
        }

        text.Append("node=").Append(PageFlagsLayout.Node(flags).ToString(CultureInfo.InvariantCulture))
            .Append("|zone=").Append(PageFlagsLayout.Zone(flags).ToString(CultureInfo.InvariantCulture)).Append(')');
    }

    /// <summary>
    /// The "raw:" lines print struct page as unsigned longs, four per line; this model's descriptor
    /// is 32 bytes, so one line.
    /// </summary>
    private static unsafe void AppendRaw(StringBuilder text, Page page)
    {
        var words = new ReadOnlySpan<ulong>(&page, Page.SizeBytes / sizeof(ulong));
        text.Append("raw:");
        foreach (ulong word in words)
        {
            text.Append(' ').Append(word.ToString("x16", CultureInfo.InvariantCulture));
        }

        text.Append('\n');
    }

    /// <summary>The names of include/trace/events/mmflags.h.</summary>
    private static string FlagName(PageFlags flag) => flag switch
    {
        PageFlags.OwnerPriv1 => "owner_priv_1",
        PageFlags.Owner2 => "owner_2",
        PageFlags.Arch1 => "arch_1",
        PageFlags.Private2 => "private_2",
        PageFlags.Lru => "lru",
        PageFlags.HwPoison => "hwpoison",
        _ when Enum.IsDefined(flag) => flag.ToString().ToLowerInvariant(),
        _ => "0x" + ((ulong)flag).ToString("x", CultureInfo.InvariantCulture),
    };
}
