using System.Text;
using PageExt.Analysis.Crash;
using PageExt.Analysis.Text;

namespace PageExt.Analysis.Tests.Crash;

/// <summary>quic/crash-plugins' pageowner output: records, per-stack totals, prompts and other commands' output.</summary>
public sealed class CrashPageOwnerReaderTests
{
    /// <summary>The sample without the collector's '#' annotation lines (tests/samples/README.md).</summary>
    internal static string SampleText() =>
        string.Concat(File.ReadAllLines(TestData.Sample("2025-github-quic-crash-plugins-pageowner-examples-android.txt")).Where(l => !l.StartsWith('#')).Select(l => l + "\n"));

    private static (CrashPageOwnerLog Log, TextDiagnostics Diagnostics) Read(string text)
    {
        var diagnostics = new TextDiagnostics();
        return (CrashPageOwnerReader.Read(new MemoryStream(Encoding.UTF8.GetBytes(text)), diagnostics), diagnostics);
    }

    [Fact]
    public void Sample_alloc_and_free_records_have_pfn_order_pid_comm_uptime_and_stack()
    {
        var (log, diagnostics) = Read(SampleText());
        Assert.Equal(0, diagnostics.Warnings);
        Assert.Equal(2, log.Pages.Count);
        var alloc = log.Pages[0];
        Assert.False(alloc.IsFree);
        Assert.Equal((0xbfffful, 0, 68L, "kswapd0"), (alloc.Pfn, alloc.Order, alloc.Pid, alloc.Comm));
        Assert.Equal(586_363_353_298L, alloc.TimestampNs);
        Assert.Equal(16, alloc.Frames.Count);
        Assert.Equal("post_alloc_hook+0x20c", alloc.Frames[0]);
        Assert.Equal("madvise_vma_behavior.50c4f95024e08bb75653a011da8190a2+0x900", alloc.Frames[^1]);
        var free = log.Pages[1];
        Assert.True(free.IsFree);
        Assert.Equal((0x99073ul, 504L, "lmkd", 12_745_040_350L), (free.Pfn, free.Pid, free.Comm, free.TimestampNs));
        Assert.Equal("free_unref_page_prepare+0x2d8", free.Frames[0]);
    }

    [Fact]
    public void Sample_per_stack_total_has_its_count_memory_frames_and_pid_table()
    {
        var (log, _) = Read(SampleText());
        var total = Assert.Single(log.Stacks);
        Assert.Equal(19147, total.Times);
        Assert.Equal(78_422_999L, total.Bytes); // 74.79 MiB, as the plugin rounded it
        Assert.Equal(16, total.Frames.Count);
        Assert.Equal("el0t_32_sync_handler+0x78", total.Frames[^1]);
        Assert.Equal(
            [new CrashPidTotal(3867, "binder:1067_18", 3920, 16_053_699), new CrashPidTotal(712, "main", 2188, 8_965_325),
             new CrashPidTotal(3791, "unknow", 1324, 5_421_138), new CrashPidTotal(2023, "ndroid.systemui", 1035, 4_236_247)],
            total.Pids);
    }

    [Fact]
    public void Prompts_and_other_commands_output_are_named_in_notes_never_warnings()
    {
        var (_, diagnostics) = Read(SampleText());
        Assert.Equal(0, diagnostics.Warnings);
        var notes = diagnostics.Kept.Select(d => d.ToString()).ToList();
        Assert.Contains("line 1: note: not pageowner output (another command's, or the session's own text); skipped", notes);
        Assert.Contains("line 42: note: the output of `pageowner -s 0x7fff12345000` (through line 62), which pageext does not read; skipped", notes);
        Assert.Contains("line 89: note: the output of `pageowner -m` (through line 103), which pageext does not read; skipped", notes);
    }

    [Fact]
    public void A_real_crash_prompt_and_another_commands_output_are_skipped_as_a_whole()
    {
        var (log, diagnostics) = Read("""
            crash> bt
            PID: 1  TASK: ffff  CPU: 0  COMMAND: "init"
             #0 [ffffffc0] __switch_to at ffffffde2eab
                [<ffffffde2edb039c>] post_alloc_hook+0x20c
            crash> pageowner -a
            [1/1] ALLOC: PFN:0x1000~0x1004 (4 pages, 16KB) Page:0xfffffffe00040000 PID:1 [init] 1d 00:53:20.156 (uptime)
                  [<ffffffde2edb039c>] post_alloc_hook+0x20c
            """.Replace("\r\n", "\n", StringComparison.Ordinal) + "\n");
        Assert.Equal(0, diagnostics.Warnings);
        Assert.Equal("line 1: note: the output of `bt` (through line 4), which pageext does not read; skipped", Assert.Single(diagnostics.Kept).ToString());
        var page = Assert.Single(log.Pages);
        Assert.Equal((0x1000ul, 2), (page.Pfn, page.Order));
        Assert.Equal(((((24L * 60) + 53) * 60) + 20) * 1_000_000_000L + 156_000_000L, page.TimestampNs);
    }

    [Fact]
    public void The_plugins_first_format_is_read_too()
    {
        // From the plugin's help text before it numbered records (quic/crash-plugins pageowner/pageowner.cpp, 2024).
        var (log, diagnostics) = Read("""
            page_owner:0xffffff800737ff48 PFN:0xbfffc-0xbfffd Page:0xfffffffe01ffff00  Order:0 stack_record:0xffffff805febaac0 PID:1877 ts_nsec:84522428174
                  [<ffffffde2edb039c>] post_alloc_hook+0x20c

            page_owner:0xffffff800737ff48 PFN:0xbfffc-0xbfffd Page:0xfffffffe01ffff00  Order:0 stack_record:0xffffff805febaca0 PID:1877 free_ts_nsec:84514802444
                  [<ffffffde2edb11a0>] free_unref_page_prepare+0x2d8
            """.Replace("\r\n", "\n", StringComparison.Ordinal) + "\n");
        Assert.Equal(0, diagnostics.Warnings + diagnostics.Notes);
        Assert.Equal(
            [(false, 0xbfffcul, 0, 1877L, (string?)null, 84_522_428_174L), (true, 0xbfffcul, 0, 1877L, null, 84_514_802_444L)],
            log.Pages.Select(p => (p.IsFree, p.Pfn, p.Order, p.Pid, p.Comm, p.TimestampNs)));
    }

    [Fact]
    public void Lines_that_look_like_records_but_do_not_parse_are_named_with_their_frames()
    {
        var (log, diagnostics) = Read(string.Join('\n',
            "[1/5] ALLOC: PFN:0x10~0x11 (1 page, 4KB) Page:0xfffffffe00000400 PID:7 [a] 00:61:00.1 (uptime)",
            "      [<ffffffde2edb039c>] post_alloc_hook+0x20c",
            "[2/5] ALLOC: PFN:0x20~0x23 (3 pages, 12KB) Page:0xfffffffe00000800 PID:7 [a] 00:00:01.0 (uptime)",
            "[3/5] FREE: PFN:0x30~0x32 (1 page, 4KB) Page:0xfffffffe00000c00 PID:7 [a] 00:00:01.0 (uptime)",
            "[4/5] ALLOC: PFN:0x40 Page:0xfffffffe00001000",
            "      [<ffffffde2edb039c>] post_alloc_hook+0x20c",
            "",
            "      [<ffffffde2edb3064>] prep_new_page+0x28",
            "Allocated 12 times, Total memory: lots",
            "Allocated 3 times, Total memory: 12KB",
            "      [<ffffffde2edb3064>] prep_new_page+0x28",
            "      -------------------------------------------------",
            "      PID      Comm                 Times      Size",
            "      7        a                    3          twelve",
            "[5/5] ALLOC: PFN:0x50~0x51 (1 page, 4KB) Page:0xfffffffe00001400 PID:9 [ok] 00:00:02.5 (uptime)",
            "") + "\n");
        Assert.Equal(
            [
                "line 1: skipped: '00:61:00.1' is not an uptime the plugin prints; its frames are skipped with it",
                "line 3: skipped: 3 pages is not a block the buddy allocator hands out (a power of two); its frames are skipped with it",
                "line 4: skipped: PFN range 0x30~0x32 does not hold the record's 1 page; its frames are skipped with it",
                "line 5: skipped: not a record line the pageowner plugin prints: '[4/5] ALLOC: PFN:0x40 Page:0xfffffffe00001000'; its frames are skipped with it",
                "line 8: skipped: a stack frame with no ALLOC, FREE or \"Allocated N times\" line before it: '[<ffffffde2edb3064>] prep_new_page+0x28'",
                "line 9: skipped: not a record line the pageowner plugin prints: 'Allocated 12 times, Total memory: lots'; its frames are skipped with it",
                "line 14: skipped: not a PID row the pageowner plugin prints: '7        a                    3          twelve'",
            ],
            diagnostics.Kept.Where(d => d.IsWarning).Select(d => d.ToString()));
        Assert.Equal((0x50ul, "ok"), (Assert.Single(log.Pages).Pfn, log.Pages[0].Comm));
        Assert.Equal(3, Assert.Single(log.Stacks).Times);
    }

    [Theory]
    [InlineData("00:09:46.363353298", 586_363_353_298L)]
    [InlineData("00:00:00.5", 500_000_000L)]
    [InlineData("2d 01:00:00.000", 176_400_000_000_000L)]
    public void Uptime_becomes_nanoseconds(string uptime, long ns)
    {
        Assert.True(CrashPageOwnerReader.TryUptimeNs(uptime, out long read));
        Assert.Equal(ns, read);
    }

    [Fact]
    public void A_free_record_of_an_allocated_page_becomes_its_free_ts_and_one_of_a_free_page_a_note()
    {
        var (log, diagnostics) = Read(string.Join('\n',
            "[1/1] ALLOC: PFN:0x10~0x12 (2 pages, 8KB) Page:0xfffffffe00000400 PID:7 [a] 00:00:02.000000001 (uptime)",
            "      [<ffffffde2edb039c>] post_alloc_hook+0x20c",
            "[1/2] FREE: PFN:0x10~0x12 (2 pages, 8KB) Page:0xfffffffe00000400 PID:8 [b] 00:00:01.0 (uptime)",
            "      [<ffffffde2edb11a0>] free_unref_page_prepare+0x2d8",
            "[2/2] FREE: PFN:0x20~0x21 (1 page, 4KB) Page:0xfffffffe00000800 PID:8 [b] 00:00:01.5 (uptime)",
            "      [<ffffffde2edb11a0>] free_unref_page_prepare+0x2d8",
            "") + "\n");
        var writer = new StringWriter();
        CrashRecordWriter.Write(writer, log, diagnostics);
        Assert.Equal(
            "Page allocated via order 1, mask 0x0(), pid 7 (a), ts 2000000001 ns, free_ts 1000000000 ns\n post_alloc_hook+0x20c\n\n",
            writer.ToString());
        Assert.Equal(
            "line 5: note: 1 FREE record (from line 5) of page with no ALLOC record: a page's last free, which a page_owner dump does not list; not counted",
            Assert.Single(diagnostics.Kept).ToString());
    }
}
