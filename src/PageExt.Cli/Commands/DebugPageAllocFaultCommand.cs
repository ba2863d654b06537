using System.CommandLine;
using System.Globalization;
using PageExt.Buddy;
using PageExt.DebugPageAlloc;
using PageExt.Physical;

namespace PageExt.Cli.Commands;

/// <summary>
/// `pageext debug-pagealloc-fault`: a diagnostic that proves debug_pagealloc=on is real. It boots a
/// small machine with free pages protected, frees a page (or allocates next to a guard block) and
/// then touches memory it no longer owns. Success is the process dying by the access fault at that
/// instruction; if it returns, the protection did not work and it says so with exit code 1. Tests
/// run it as a child process because a fault cannot be survived in-process.
/// </summary>
internal sealed class DebugPageAllocFaultCommand : ICliCommand
{
    public Command Create(CliContext context)
    {
        var modeArgument = new Argument<string>("mode") { HelpName = "mode", Description = "What to do with memory the test no longer owns" };
        modeArgument.AcceptOnlyFromAmong("read-after-free", "write-after-free", "overrun-into-guard");
        var faultReport = new Option<bool>("--fault-report") { Description = "Print the kernel-style report of the faulting address before dying" };
        var command = new Command("debug-pagealloc-fault", "(diagnostic) touch a freed page under debug_pagealloc=on: the process must die by the fault")
        {
            modeArgument,
            faultReport,
        };
        command.SetAction(parsed => Run(parsed.GetValue(modeArgument)!, parsed.GetValue(faultReport), context));
        return command.WithExamples(("pageext debug-pagealloc-fault read-after-free --fault-report", "dies by SIGSEGV, printing which freed page was read"));
    }

    private static int Run(string mode, bool faultReport, CliContext context)
    {
        bool guard = mode == "overrun-into-guard";
        var feature = DebugPageAllocFeature.Create(new DebugPageAllocSettings
        {
            DebugPagealloc = true,
            GuardPageMinOrder = guard ? DebugPageAllocSettings.MaxGuardPageMinOrder : 0,
            FaultReport = faultReport,
        });
        using var machine = Machine.Boot(new MachineDescription { MemoryBytes = 64L << 20, Cpus = 1 }, [], debugPageAlloc: feature);
        foreach (var line in machine.Log.Lines.Where(l => l.StartsWith("debug_pagealloc", StringComparison.Ordinal)))
        {
            context.Stdout.WriteLine(line);
        }

        Pfn target;
        string what;
        if (guard)
        {
            // An order-4 block split from a larger one leaves its order-4 buddy as a guard (minorder 5):
            // the first byte past the allocation is the guard's.
            if (!machine.TryAllocPages(GfpFlags.Kernel, 4, out var block))
            {
                context.Stderr.WriteLine("pageext debug-pagealloc-fault: allocation failed");
                return 1;
            }

            target = block + 16;
            what = $"overrunning the order-4 block at pfn {block} into pfn {target}";
        }
        else
        {
            if (!machine.TryAllocPages(GfpFlags.Kernel, 0, out target))
            {
                context.Stderr.WriteLine("pageext debug-pagealloc-fault: allocation failed");
                return 1;
            }

            machine.FreePages(target, 0);
            what = $"{(mode == "read-after-free" ? "reading" : "writing")} freed pfn {target}";
        }

        const int Offset = 0x123;
        var page = machine.PageSpan(target);
        context.Stdout.WriteLine($"{what} at offset 0x{Offset:x}: address 0x{machine.PageAddress(target) + Offset:x16}");
        context.Stdout.Flush();
        if (mode == "read-after-free")
        {
            byte value = page[Offset];
            context.Stdout.WriteLine(value.ToString(CultureInfo.InvariantCulture));
        }
        else
        {
            page[Offset] = 0x42;
        }

        context.Stdout.WriteLine("no fault: the page was accessible; debug_pagealloc did not protect it");
        return 1;
    }
}
