using System.Text;
using PageExt.Analysis.Dmesg;
using PageExt.Analysis.Dump;
using PageExt.Analysis.Inputs;
using PageExt.Analysis.Reports;
using PageExt.Analysis.Text;

namespace PageExt.Analysis.Tests.Dmesg;

public sealed class OwnerRecordWriterTests
{
    private static DmesgLog Log(string text) => DmesgReader.Read(new MemoryStream(Encoding.Latin1.GetBytes(text)), new TextDiagnostics());

    [Fact]
    public void A_report_becomes_the_debugfs_record_of_its_generation()
    {
        var log = Log("page last allocated via order 0, migratetype Unmovable, gfp_mask 0xcc0(GFP_KERNEL), pid 80, tgid 80 (insmod), ts 14552004992, free_ts 0\n"
            + " prep_new_page+0xa8/0x10c\n get_page_from_freelist+0x7f8/0x1248\npage has been migrated, last migrate reason: compaction\n");
        var writer = new StringWriter();
        OwnerRecordWriter.Write(writer, Assert.Single(log.Reports));
        Assert.Equal(
            "Page allocated via order 0, mask 0xcc0(GFP_KERNEL), pid 80, tgid 80 (insmod), ts 14552004992 ns, free_ts 0 ns\n"
            + " prep_new_page+0xa8/0x10c\n get_page_from_freelist+0x7f8/0x1248\n"
            + "Page has been migrated, last migrate reason: compaction\n\n",
            writer.ToString());
    }

    [Fact]
    public void The_records_of_a_log_read_back_as_a_dump_without_diagnostics()
    {
        var log = Log("page allocated via order 3, migratetype Movable, gfp_mask 0x100cca(GFP_HIGHUSER_MOVABLE)\n [<ffffffff8101bc9c>] save_stack_trace+0x26/0x41\n"
            + "noise\npage last allocated via order 0, migratetype Unmovable, gfp_mask 0xcc0(GFP_KERNEL), pid 7, tgid 6 (kworker/u8:7), ts 1, free_ts 0\n prep_new_page+0xa8/0x10c\n");
        var diagnostics = new DiagnosticLog();
        var totals = DumpTotals.Load(KernelText.RecordsOf(log), diagnostics);
        Assert.Equal(0, diagnostics.Total);
        Assert.Equal((2L, 9L), (totals.Records, totals.Pages));
        Assert.Contains(totals.ProcessEntries(), p => p.Label.Contains("kworker/u8:7", StringComparison.Ordinal));
    }

    [Fact]
    public void A_report_without_an_allocation_line_cannot_be_written()
    {
        var log = Log("page_owner info is not present (never set?)\n");
        Assert.Throws<ArgumentException>(() => OwnerRecordWriter.Write(new StringWriter(), Assert.Single(log.Reports)));
    }
}
