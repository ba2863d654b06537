using PageExt.Analysis.Sort;

namespace PageExt.Analysis.Reports;

/// <summary>The report exactly as page_owner_sort prints it, for each generation of the tool.</summary>
internal static class SortTextWriter
{
    public static void Write(ByteWriter output, IEnumerable<SortedGroup> groups, SortOptions options)
    {
        foreach (var group in groups)
        {
            if (options.Compat == CompatMode.Y2014)
            {
                // "%d times:\n%s\n"
                output.Write(group.CountAsInt);
                output.Write(" times:\n"u8);
                output.Write(group.Text.Span);
                output.Write((byte)'\n');
                continue;
            }

            output.Write(group.CountAsInt);
            output.Write(" times, "u8);
            output.Write(group.PagesAsInt);
            output.Write(" pages"u8);
            var cull = options.Cull;
            if (cull == CullKeys.None)
            {
                output.Write(", "u8);
                WriteAllocator(output, group.Allocator);
                output.Write(":\n"u8);
                output.Write(group.Text.Span);
                output.Write((byte)'\n');
                continue;
            }

            if ((cull & CullKeys.Pid) != 0 || options.FilterPid)
            {
                output.Write(", PID "u8);
                output.Write(group.Pid);
            }

            if ((cull & CullKeys.Tgid) != 0 || options.FilterTgid)
            {
                output.Write(", TGID "u8);
                output.Write(group.Tgid);
            }

            if ((cull & CullKeys.Comm) != 0 || options.FilterComm)
            {
                output.Write(", task_comm_name: "u8);
                output.Write(group.Comm.Span);
            }

            if ((cull & CullKeys.Allocator) != 0)
            {
                output.Write(", "u8);
                WriteAllocator(output, group.Allocator);
            }

            if ((cull & CullKeys.Free) != 0)
            {
                output.Write(group.FreeTimestampNs != 0 ? " (UNRELEASED)"u8 : " (RELEASED)"u8);
            }

            if ((cull & CullKeys.StackTrace) != 0)
            {
                output.Write(":\n"u8);
                output.Write(group.StackTrace.Span);
            }

            output.Write((byte)'\n');
        }
    }

    /// <summary>print_allocator: every name followed by a space.</summary>
    public static void WriteAllocator(ByteWriter output, int allocator)
    {
        output.Write("allocated by "u8);
        foreach (var name in AllocatorNames(allocator))
        {
            output.Write(name);
            output.Write((byte)' ');
        }
    }

    public static IEnumerable<string> AllocatorNames(int allocator)
    {
        if ((allocator & Dump.KernelFields.AllocatorCma) != 0)
        {
            yield return "CMA";
        }

        if ((allocator & Dump.KernelFields.AllocatorSlab) != 0)
        {
            yield return "SLAB";
        }

        if ((allocator & Dump.KernelFields.AllocatorVmalloc) != 0)
        {
            yield return "VMALLOC";
        }

        if ((allocator & Dump.KernelFields.AllocatorOthers) != 0)
        {
            yield return "OTHERS";
        }
    }
}
