using System.Text;
using PageExt.Analysis.Dump;
using PageExt.Analysis.Reports;

namespace PageExt.Analysis.Tests.Reports;

/// <summary>
/// `top` counts a process once, by tgid, under its leader's name; `diff` matches stacks by their frames
/// and processes by name, so two boots (other pids, other kernel addresses) compare as they should.
/// </summary>
public sealed class ProcessMatchTests
{
    private static string Record(int order, int pid, int tgid, string comm, params string[] frames) =>
        $"Page allocated via order {order}, mask 0xcc0(GFP_KERNEL), pid {pid}, tgid {tgid} ({comm}), ts 10 ns\n"
        + "PFN 0x10 type Unmovable Block 0 type Unmovable Flags 0x0()\n"
        + string.Concat(frames.Select(f => $" {f}\n")) + "\n";

    private static DumpTotals Totals(string text) => DumpTotals.Load(new MemoryStream(Encoding.ASCII.GetBytes(text)), new DiagnosticLog());

    private static string Top(DumpTotals totals)
    {
        var text = new StringWriter();
        TopReport.Write(text, totals, limit: 10, pageBytes: 4096);
        return text.ToString();
    }

    [Fact]
    public void Top_counts_a_process_once_by_tgid_under_its_leaders_name()
    {
        // A JVM: the leader allocated 1 page, its JIT thread 8, its GC thread 2.
        var totals = Totals(
            Record(0, 1778, 1778, "java", "a+0x1/0x2")
            + Record(3, 1790, 1778, "C2 CompilerThre", "b+0x1/0x2")
            + Record(1, 1795, 1778, "GC Thread#0", "c+0x1/0x2"));
        var process = Assert.Single(totals.Processes());
        Assert.Equal((1778, "java", true, 11L, 3L), (process.Id, process.Name, process.NamedByLeader, process.Pages, process.Records));
        string top = Top(totals);
        Assert.Contains(" 11         3 100.0%  1778 java\n", top, StringComparison.Ordinal);
        Assert.DoesNotContain("C2 CompilerThre", top, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_a_leader_record_the_thread_with_most_pages_names_the_process_and_the_label_says_so()
    {
        var totals = Totals(
            Record(0, 1795, 1778, "GC Thread#0", "c+0x1/0x2")
            + Record(0, 1795, 1778, "GC Thread#0", "c+0x1/0x2")
            + Record(2, 1790, 1778, "C2 CompilerThre", "b+0x1/0x2"));
        var process = Assert.Single(totals.Processes());
        Assert.Equal(("C2 CompilerThre", false), (process.Name, process.NamedByLeader));
        Assert.Equal("1778 C2 CompilerThre (a thread's name: the leader has no record)", process.Label);
    }

    [Fact]
    public void Threads_tied_on_pages_and_records_name_the_process_in_ordinal_order_whatever_the_input_order()
    {
        string b = Record(1, 11, 10, "worker-b", "f+0x1/0x2");
        string a = Record(1, 12, 10, "worker-a", "f+0x1/0x2");
        Assert.Equal("worker-a", Assert.Single(Totals(b + a).Processes()).Name);
        Assert.Equal("worker-a", Assert.Single(Totals(a + b).Processes()).Name);
    }

    [Fact]
    public void Records_without_a_tgid_are_counted_by_pid_and_records_without_a_pid_together()
    {
        // v5.11-v5.18 print a pid but no tgid or comm; v4.4-v5.10 print neither.
        string v511 = "Page allocated via order 1, mask 0xcc0(GFP_KERNEL), pid 42, ts 10 ns, free_ts 0 ns\nPFN 16 type Unmovable Block 0 type Unmovable Flags 0x0()\n f+0x1/0x2\n\n";
        string v44 = "Page allocated via order 0, mask 0x24213ca(GFP_HIGHUSER_MOVABLE)\nPFN 674308 type Movable Block 1317 type Movable Flags 0x1fffff80010068(uptodate)\n [<ffffffff81164e9a>] __alloc_pages_nodemask+0x15a/0xa30\n\n";
        var processes = Totals(v511 + v511 + v44).Processes().OrderBy(p => p.Id).ToList();
        Assert.Equal(
            [("? (no pid in the records)", 1L), ("pid 42", 4L)],
            processes.Select(p => (p.Label, p.Pages)));
    }

    [Fact]
    public void Records_that_print_a_comm_after_the_pid_are_named_by_it()
    {
        // Before the tgid was printed, the comm followed the pid: "pid %d (%s), ts %llu ns".
        static string Podman(int pid) =>
            $"Page allocated via order 0, mask 0x1100cca(GFP_HIGHUSER_MOVABLE), pid {pid} (podman), ts 1097761405537 ns, free_ts 0 ns\n"
            + "PFN 1925700 type Movable Block 3761 type Movable Flags 0x17ffffc00c001c(uptodate)\n prep_new_page+0xac/0xe0\n\n";
        var boot1 = Totals(Podman(162970));
        var process = Assert.Single(boot1.Processes());
        Assert.Equal(("pid 162970 podman", "podman"), (process.Label, process.Name));
        var change = Assert.Single(DiffReport.CompareProcesses(boot1, Totals(Podman(4242) + Podman(4242)), ProcessMatch.Name));
        Assert.Equal(("podman [162970 -> 4242]", 1L), (change.Label, change.DeltaPages));
    }

    [Fact]
    public void Diff_matches_processes_by_name_when_two_boots_gave_them_other_pids()
    {
        var boot1 = Totals(Record(0, 1778, 1778, "java", "a+0x1/0x2") + Record(1, 512, 512, "sshd", "s+0x1/0x2"));
        var boot2 = Totals(Record(3, 2213, 2213, "java", "a+0x1/0x2") + Record(1, 640, 640, "sshd", "s+0x1/0x2"));
        var java = Assert.Single(DiffReport.CompareProcesses(boot1, boot2, ProcessMatch.Name));
        Assert.Equal(("java [1778 -> 2213]", 1L, 8L), (java.Label, java.OldPages, java.NewPages));
    }

    [Fact]
    public void Diff_with_match_pid_matches_processes_by_tgid()
    {
        var boot1 = Totals(Record(0, 1778, 1778, "java", "a+0x1/0x2"));
        var boot2 = Totals(Record(3, 2213, 2213, "java", "a+0x1/0x2"));
        var changes = DiffReport.CompareProcesses(boot1, boot2, ProcessMatch.Pid);
        Assert.Equal(
            [("2213 java", 8L), ("1778 java", -1L)],
            changes.Select(e => (e.Label, e.DeltaPages)));
    }

    [Fact]
    public void Diff_by_name_sums_every_process_of_a_name_and_names_each_tgid()
    {
        var before = Totals(Record(0, 10, 10, "bash", "f+0x1/0x2") + Record(0, 11, 11, "bash", "f+0x1/0x2"));
        var after = Totals(Record(0, 20, 20, "bash", "f+0x1/0x2") + Record(0, 21, 21, "bash", "f+0x1/0x2")
            + Record(0, 22, 22, "bash", "f+0x1/0x2") + Record(0, 23, 23, "bash", "f+0x1/0x2"));
        var bash = Assert.Single(DiffReport.CompareProcesses(before, after, ProcessMatch.Name));
        Assert.Equal(("bash [10, 11 -> 20, 21, 22, +1]", 2L), (bash.Label, bash.DeltaPages));
    }

    [Fact]
    public void Diff_matches_stacks_by_their_frames_not_by_the_addresses_a_boot_gave_them()
    {
        // The same call path in two 4.4 boots: KASLR moved the kernel, so the addresses differ.
        static string Old(string slide) =>
            "Page allocated via order 0, mask 0x24213ca(GFP_HIGHUSER_MOVABLE)\nPFN 1 type Movable Block 0 type Movable Flags 0x0()\n"
            + $" [<ffffffff{slide}164e9a>] __alloc_pages_nodemask+0x15a/0xa30\n [<ffffffff{slide}1ab938>] alloc_pages_current+0x88/0x120\n\n";
        var boot1 = Totals(Old("81"));
        var boot2 = Totals(Old("a3") + Old("a3"));
        var stack = Assert.Single(DiffReport.CompareStacks(boot1, boot2));
        Assert.Equal("__alloc_pages_nodemask+0x15a/0xa30\nalloc_pages_current+0x88/0x120\n", stack.Label);
        Assert.Equal((1L, 2L), (stack.OldPages, stack.NewPages));
    }

    [Fact]
    public void Two_boots_with_other_pids_diff_to_the_growth_of_one_stack_and_one_process()
    {
        // Boot 1: a leak of 2 order-2 blocks by memleak (tgid 300, allocating from a worker thread).
        // Boot 2: the same programs under other pids, the leak grown to 5 blocks.
        string Boot(int memleak, int worker, int sshd, int leaks) =>
            Record(0, sshd, sshd, "sshd", "sock_alloc+0x1/0x2", "do_syscall_64+0x3/0x4")
            + Record(0, memleak, memleak, "memleak", "main+0x1/0x2")
            + string.Concat(Enumerable.Repeat(Record(2, worker, memleak, "leaker", "leak_block+0x1/0x2", "do_syscall_64+0x3/0x4"), leaks));
        var boot1 = Totals(Boot(memleak: 300, worker: 301, sshd: 200, leaks: 2));
        var boot2 = Totals(Boot(memleak: 4100, worker: 4107, sshd: 3900, leaks: 5));

        var stack = Assert.Single(DiffReport.CompareStacks(boot1, boot2));
        Assert.Equal(("leak_block+0x1/0x2\ndo_syscall_64+0x3/0x4\n", 12L), (stack.Label, stack.DeltaPages));
        var process = Assert.Single(DiffReport.CompareProcesses(boot1, boot2, ProcessMatch.Name));
        Assert.Equal(("memleak [300 -> 4100]", 12L, 3L), (process.Label, process.DeltaPages, process.DeltaRecords));

        var text = new StringWriter();
        DiffReport.Write(text, boot1, boot2, limit: 10, pageBytes: 4096);
        Assert.Contains("Processes (name [tgids old -> new]) that grew (1 shown):", text.ToString(), StringComparison.Ordinal);
        Assert.Contains("Processes (name [tgids old -> new]) that shrank (0 shown):", text.ToString(), StringComparison.Ordinal);
    }
}
