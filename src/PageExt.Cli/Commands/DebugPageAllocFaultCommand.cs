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
    private const string Usage = "usage: pageext debug-pagealloc-fault read-after-free|write-after-free|overrun-into-guard [--fault-report]";

    public string Name => "debug-pagealloc-fault";

    public string Summary => "(diagnostic) touch a freed page under debug_pagealloc=on: the process must die by the fault";

    public int Run(IReadOnlyList<string> args, CliContext context)
    {
        string? mode = null;
        bool faultReport = false;
        foreach (var arg in args)
        {
            if (arg == "--fault-report")
            {
                faultReport = true;
            }
            else if (mode is null && arg is "read-after-free" or "write-after-free" or "overrun-into-guard")
            {
                mode = arg;
            }
            else
            {
                context.Stderr.WriteLine(Usage);
                return 2;
            }
        }

        if (mode is null)
        {
            context.Stderr.WriteLine(Usage);
            return 2;
        }

        bool guard = mode == "overrun-into-guard";
        var feature = DebugPageAllocFeature.Create(new DebugPageAllocSettings
        {
            DebugPagealloc = true,
            GuardPageMinOrder = guard ? DebugPageAllocSettings.MaxGuardPageMinOrder : 0,
            FaultReport = faultReport,
        });
        using var machine = Machine.Boot(new MachineDescription { MemoryBytes = 64L << 20, Cpus = 1 }, [.. feature.Clients]);
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
