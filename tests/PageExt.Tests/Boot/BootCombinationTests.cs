using PageExt.Boot;
using PageExt.Buddy;
using PageExt.Cli;
using PageExt.Cli.Commands;
using PageExt.PageOwner;

namespace PageExt.Tests.Boot;

/// <summary>Every documented parameter combination boots, and what `pageext params` accepts, boot accepts.</summary>
public class BootCombinationTests
{
    /// <summary>
    /// Every combination of the switches in the README's boot parameters table (page_owner,
    /// debug_pagealloc, page_poison, disable_debug_pagealloc, stack_depot_disable, each on and off,
    /// and every page_owner_stack mode), with the numeric parameters at their bounds in turn.
    /// </summary>
    public static TheoryData<string> DocumentedCombinations()
    {
        var data = new TheoryData<string>();
        string[] stacks = ["fp", "managed", "caller", "off"];
        for (int bits = 0; bits < 32; bits++)
        {
            var words = new List<string>
            {
                "page_owner=" + OnOff(bits, 0),
                "debug_pagealloc=" + OnOff(bits, 1),
                "page_poison=" + OnOff(bits, 2),
                "stack_depot_disable=" + OnOff(bits, 3),
            };
            if ((bits & 16) != 0)
            {
                words.Add("disable_debug_pagealloc");
            }

            string numeric = (bits % 4) switch
            {
                0 => "debug_guardpage_minorder=0 stack_depot_max_pools=1 debug_pagealloc_max_ranges=0",
                1 => "debug_guardpage_minorder=5 stack_depot_max_pools=131071 debug_pagealloc_max_ranges=16384",
                2 => "debug_guardpage_minorder=2 movablecore=32M cma=4M mem=126M",
                _ => "movablecore=0 cma=0 mem=64M",
            };
            data.Add($"{string.Join(' ', words)} page_owner_stack={stacks[bits % 4]} {numeric}");
        }

        return data;
    }

    private static string OnOff(int bits, int bit) => (bits & (1 << bit)) != 0 ? "on" : "off";

    [Theory]
    [MemberData(nameof(DocumentedCombinations))]
    public void Every_documented_parameter_combination_boots_and_writes_its_files(string cmdline)
    {
        using var m = TestMachines.Boot(memoryBytes: 128L << 20, cmdline: cmdline);
        Assert.True(m.TryAllocPages(GfpFlags.Kernel, 0, out var pfn));
        Assert.True(m.TryAllocPages(GfpFlags.HighUserMovable, 3, out var block));
        m.FreePages(pfn, 0);
        if (m.PageOwner.IsEnabled)
        {
            PageOwnerDump.Write(TextWriter.Null, m.PageOwner);
            PageOwnerDump.Write(TextWriter.Null, m.PageOwner, DumpFormat.Seed2014);
            PageOwnerStacks.WriteStacks(TextWriter.Null, m.PageOwner);
            _ = m.PageOwner.DescribePage(block);
        }

        m.FreePages(block, 3);
        m.AssertConsistent();
    }

    /// <summary>
    /// With the depot disabled the kernel's sentinel handles are 0 (stack_depot_save refuses
    /// them too), so page_owner records 0 as its failure handle: the dump skips records with
    /// handle 0, page_owner_stacks lists nothing, and __dump_page_owner says the traces are missing.
    /// </summary>
    [Fact]
    public void Page_owner_with_the_stack_depot_disabled_records_the_failure_handle_and_prints_as_the_kernel()
    {
        using var m = TestMachines.Boot(cmdline: "page_owner=on stack_depot_disable=on");
        Assert.Equal(StackHandleZero, m.PageOwner.Depot!.FailureHandle.Value);
        Assert.True(m.TryAllocPages(GfpFlags.Kernel, 0, out var pfn));
        var owner = m.PageOwner.GetOwner(pfn)!;
        Assert.Equal(m.PageOwner.Depot.FailureHandle, owner.Handle);

        var dump = new StringWriter();
        Assert.Equal(0, PageOwnerDump.Write(dump, m.PageOwner));
        Assert.Equal("", dump.ToString());
        var stacks = new StringWriter();
        PageOwnerStacks.WriteStacks(stacks, m.PageOwner);
        Assert.Equal("", stacks.ToString());
        string described = m.PageOwner.DescribePage(pfn);
        Assert.Contains("page_owner allocation stack trace missing\n", described, StringComparison.Ordinal);
        Assert.Contains("page_owner free stack trace missing\n", described, StringComparison.Ordinal);
        m.FreePages(pfn, 0);
    }

    private const uint StackHandleZero = 0;

    /// <summary>
    /// An exhaustive table of generated command lines: every size parameter at values below, at
    /// and above its limits on the default 1 GiB machine, crossed with each other, plus malformed
    /// values. Whenever `pageext params` accepts one (exit 0), booting it succeeds.
    /// </summary>
    [Fact]
    public void Whatever_params_accepts_boots()
    {
        string[] cma = ["", "cma=0", "cma=1M", "cma=2M", "cma=256M", "cma=512M", "cma=513M", "cma=1G", "cma=x"];
        string[] mem = ["", "mem=4K", "mem=63M", "mem=64M", "mem=300M", "mem=2G"];
        string[] movable = ["", "movablecore=100M", "movablecore=1G", "movablecore=-1"];
        int accepted = 0, refused = 0;
        var failures = new List<string>();
        foreach (var c in cma)
        {
            foreach (var me in mem)
            {
                foreach (var mv in movable)
                {
                    string cmdline = string.Join(' ', new[] { c, me, mv }.Where(w => w.Length > 0));
                    var stdout = new StringWriter();
                    var stderr = new StringWriter();
                    int exit = CommandTable.Run(["params", "--cmdline", cmdline], new CliContext(stdout, stderr));
                    if (exit != 0)
                    {
                        refused++;
                        continue;
                    }

                    accepted++;
                    try
                    {
                        using var m = Machine.Boot(new MachineDescription { CommandLine = cmdline, Cpus = 1 });
                    }
                    catch (Exception e)
                    {
                        failures.Add($"'{cmdline}': params accepted, boot threw {e.GetType().Name}: {e.Message}");
                    }
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.True(accepted > 20 && refused > 20, $"accepted {accepted}, refused {refused}");
    }

    [Fact]
    public void Memory_beyond_what_32_bit_pfns_can_number_is_refused_in_plain_units()
    {
        var ex = Assert.Throws<MachineDescriptionException>(() => Machine.Validate(new MachineDescription { MemoryBytes = 16L << 40 }));
        Assert.Equal(
            "memory must be a multiple of 2 MiB from 64 MiB to 16383.875 GiB (16 TiB less one 128 MiB section: pages are numbered by 32-bit PFN); got 16 TiB",
            ex.Message);
        Assert.DoesNotContain('\n', ex.Message);
        var hotplug = Assert.Throws<MachineDescriptionException>(() => Machine.Validate(new MachineDescription { MemoryBytes = (16L << 40) - (1L << 30), HotplugBytes = 1L << 30 }));
        Assert.StartsWith("memory plus hot-plug room must be at most 16383.875 GiB", hotplug.Message, StringComparison.Ordinal);
        Machine.Validate(new MachineDescription { MemoryBytes = (16L << 40) - (128L << 20) });
    }

    [Fact]
    public void A_cma_area_that_does_not_fit_is_refused_before_boot_in_plain_units()
    {
        var ex = Assert.Throws<MachineDescriptionException>(() => Machine.Validate(new MachineDescription { CommandLine = "cma=1G" }));
        Assert.Equal("cma=1 GiB does not fit: it must be at least one 2 MiB pageblock and at most half of node 0's DMA32 zone (504 MiB)", ex.Message);
    }
}
