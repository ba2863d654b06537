using System.CommandLine;
using PageExt.PageOwner;

namespace PageExt.Cli;

/// <summary>The output and workload options of `pageext run`.</summary>
internal sealed class RunOptions
{
    public string? Workload { get; private init; }

    public string? Record { get; private init; }

    public string? PageOwner { get; private init; }

    public DumpFormat DumpFormat { get; private init; } = DumpFormat.Modern;

    public string? PageOwnerStacks { get; private init; }

    public long StacksThreshold { get; private init; }

    public string? PageTypeInfo { get; private init; }

    public string? BuddyInfo { get; private init; }

    public string? ZoneInfo { get; private init; }

    public string? VmStat { get; private init; }

    public string? Log { get; private init; }

    /// <summary>The kmem trace events the run recorded (trace_event=), in ftrace's text format.</summary>
    public string? Trace { get; private init; }

    /// <summary>The HTML report of the machine after the workload: its page_owner records, every pageblock and buddyinfo.</summary>
    public string? Report { get; private init; }

    /// <summary>The System.CommandLine options that fill a <see cref="RunOptions"/>.</summary>
    public sealed class Set
    {
        private readonly Option<string> _workload = File("--workload", "Workload file to replay (`-`: stdin) instead of the built-in workload");
        private readonly Option<string> _record = File("--record", "Write the operations replayed, as a workload file, to PATH");
        private readonly Option<string> _pageOwner = File("--page-owner", "Write /sys/kernel/debug/page_owner to PATH (needs page_owner=on)");
        private readonly Option<string> _format = new("--page-owner-format") { HelpName = "modern|2014", Description = "Dump format: today's kernel, or the 2014 (3.19) one [default: modern]" };
        private readonly Option<string> _stacks = File("--page-owner-stacks", "Write page_owner_stacks/show_stacks to PATH");
        private readonly Option<long> _threshold = new("--stacks-threshold")
        {
            HelpName = "N",
            Description = "page_owner_stacks/count_threshold: only stacks with at least N base pages",
            CustomParser = OptionParsers.Long("--stacks-threshold", 0),
        };
        private readonly Option<string> _pageTypeInfo = File("--pagetypeinfo", "Write /proc/pagetypeinfo to PATH");
        private readonly Option<string> _buddyInfo = File("--buddyinfo", "Write /proc/buddyinfo to PATH");
        private readonly Option<string> _zoneInfo = File("--zoneinfo", "Write /proc/zoneinfo (free pages, watermarks, sizes, per-CPU pagesets) to PATH");
        private readonly Option<string> _vmStat = File("--vmstat", "Write /proc/vmstat's allocator counters (nr_free_pages, pgalloc_*, pgfree) to PATH");
        private readonly Option<string> _log = File("--log", "Write the kernel log (dmesg) to PATH");
        private readonly Option<string> _trace = File("--trace", "Write the kmem trace events (trace_event= on the command line) to PATH as /sys/kernel/tracing/trace prints them");
        private readonly Option<string> _report = File("--report", "Write the HTML report of the live machine (flame graph, tables, memory map, buddyinfo, zoneinfo) to PATH");

        public Set()
        {
            _format.AcceptOnlyFromAmong("modern", "2014");
        }

        public void AddTo(Command command)
        {
            foreach (var option in new Option[] { _workload, _record, _pageOwner, _format, _stacks, _threshold, _pageTypeInfo, _buddyInfo, _zoneInfo, _vmStat, _log, _trace, _report })
            {
                command.Options.Add(option);
            }
        }

        public RunOptions Read(ParseResult parsed) => new()
        {
            Workload = parsed.GetValue(_workload),
            Record = parsed.GetValue(_record),
            PageOwner = parsed.GetValue(_pageOwner),
            DumpFormat = parsed.GetValue(_format) == "2014" ? DumpFormat.Seed2014 : DumpFormat.Modern,
            PageOwnerStacks = parsed.GetValue(_stacks),
            StacksThreshold = parsed.GetValue(_threshold),
            PageTypeInfo = parsed.GetValue(_pageTypeInfo),
            BuddyInfo = parsed.GetValue(_buddyInfo),
            ZoneInfo = parsed.GetValue(_zoneInfo),
            VmStat = parsed.GetValue(_vmStat),
            Log = parsed.GetValue(_log),
            Trace = parsed.GetValue(_trace),
            Report = parsed.GetValue(_report),
        };

        private static Option<string> File(string name, string description) => new(name) { HelpName = "PATH", Description = description };
    }
}
