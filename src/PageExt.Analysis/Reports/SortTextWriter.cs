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

            var cull = options.Cull;
            if (cull == CullKeys.None)
            {
                WriteWholeTextHeader(output, group.CountAsInt, group.PagesAsInt, group.Allocator);
                output.Write(group.Text.Span);
                output.Write((byte)'\n');
                continue;
            }

            output.Write(group.CountAsInt);
            output.Write(" times, "u8);
            output.Write(group.PagesAsInt);
            output.Write(" pages"u8);

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

    /// <summary>
    /// The records of a sort by allocation time (<see cref="TimestampSort"/>), exactly as the groups
    /// path above prints them with no --cull: each text rebuilt from its pieces.
    /// </summary>
    /// <remarks>Compiled optimized from the start: it runs once, over every record.</remarks>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    /// <returns>The groups printed: runs of records with the same text count as one.</returns>
    public static int Write(ByteWriter output, SortedTimestamps sorted)
    {
        var keys = sorted.Keys;
        var pieces = sorted.Pieces;
        Span<byte> digits = stackalloc byte[20];
        int groups = 0;
        for (int start = 0; start < keys.Length; groups++)
        {
            long pages = keys[start].Pages;
            int end = start + 1;
            while (end < keys.Length && keys[end].SameText(keys[start]))
            {
                pages += keys[end].Pages;
                end++;
            }

            ref readonly var key = ref keys[start];
            WriteWholeTextHeader(output, end - start, unchecked((int)pages), key.Allocator);
            output.Write(pieces[key.Head]);
            output.Write(TimestampOrder.Digits(key, digits));
            output.Write(pieces[key.Tail]);
            output.Write((byte)'\n');
            start = end;
        }

        return groups;
    }

    /// <summary>"%d times, %d pages, " and print_allocator's names, then ":\n": a group's first line with no --cull.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static void WriteWholeTextHeader(ByteWriter output, int count, int pages, int allocator)
    {
        output.Write(count);
        output.Write(" times, "u8);
        output.Write(pages);
        output.Write(" pages, "u8);
        WriteAllocator(output, allocator);
        output.Write(":\n"u8);
    }

    /// <summary>print_allocator: every name followed by a space.</summary>
    public static void WriteAllocator(ByteWriter output, int allocator)
    {
        output.Write(AllocatorText(allocator));
    }

    /// <summary>"allocated by " and every name followed by a space, for each combination of allocator bits, made once.</summary>
    private static ReadOnlySpan<byte> AllocatorText(int allocator) =>
        (uint)allocator < (uint)s_allocatorTexts.Length ? s_allocatorTexts[allocator] : BuildAllocatorText(allocator);

    private static readonly byte[][] s_allocatorTexts = [.. Enumerable.Range(0, 2 * Dump.KernelFields.AllocatorOthers).Select(BuildAllocatorText)];

    private static byte[] BuildAllocatorText(int allocator) =>
        System.Text.Encoding.ASCII.GetBytes("allocated by " + string.Concat(AllocatorNames(allocator).Select(name => name + " ")));

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
