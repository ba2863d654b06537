using PageExt.Buddy;
using PageExt.Cli;
using PageExt.Cli.Commands;
using PageExt.Views;

namespace PageExt.Tests.Views;

public class ProcVmStatTests
{
    [Fact]
    public void Vmstat_lists_the_kernels_counters_in_its_order_then_pageexts()
    {
        using var m = TestMachines.Boot();
        Assert.True(m.TryAllocPages(GfpFlags.Kernel, 2, out var dma32));
        Assert.True(m.TryAllocPages(GfpFlags.Kernel | GfpFlags.Dma, 0, out var dma));
        m.FreePages(dma32, 2);
        m.Allocator.DrainAllPages();

        string[] lines = ProcVmStat.Render(m).Split('\n');
        Assert.Equal(
            [
                $"nr_free_pages {m.FreePagesTotal()}",
                "nr_free_cma 0",
                "pgalloc_dma 1",
                "pgalloc_dma32 4",
                "pgalloc_normal 0",
                "pgalloc_movable 0",
                "pgfree 4",
                "pageext_alloc_calls 2",
                "pageext_free_calls 1",
                "pageext_alloc_fail 0",
                "",
            ],
            lines);
        m.FreePages(dma, 0);
    }

    [Fact]
    public void Run_writes_vmstat_after_the_workload()
    {
        string workload = Path.GetTempFileName();
        string vmstat = Path.GetTempFileName();
        try
        {
            File.WriteAllText(workload, "alloc a 0 GFP_KERNEL site\nalloc b 1 GFP_KERNEL site\nfree a site\n");
            var stdout = new StringWriter();
            var stderr = new StringWriter();
            int exit = CommandTable.Run(["run", "--memory", "128M", "--workload", workload, "--vmstat", vmstat], new CliContext(stdout, stderr));
            Assert.True(exit == 0, stderr.ToString());
            string text = File.ReadAllText(vmstat);
            Assert.Contains("\npgalloc_dma32 3\n", text, StringComparison.Ordinal);
            Assert.Contains("\npgfree 1\n", text, StringComparison.Ordinal);
            Assert.Contains("\npageext_alloc_calls 2\n", text, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(workload);
            File.Delete(vmstat);
        }
    }
}
