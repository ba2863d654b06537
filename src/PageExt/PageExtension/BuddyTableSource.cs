using System.Runtime.InteropServices;
using PageExt.Buddy;
using PageExt.Physical;

namespace PageExt.PageExtension;

/// <summary>alloc_page_ext(): exact pages from the section's node, else zeroed native memory.</summary>
internal sealed unsafe class BuddyTableSource(PageAllocator allocator) : IPageExtTableSource
{
    private const GfpFlags TableGfp = GfpFlags.Kernel | GfpFlags.Zero | GfpFlags.NoWarn;

    public bool TryAllocate(MemorySection section, long bytes, out PageExtTable table)
    {
        if (bytes <= (long)PageSize.Bytes << PageOrder.Max
            && allocator.TryAllocPagesExactNode(section.Node, bytes, TableGfp, out var pfn, out int pages))
        {
            table = new PageExtTable(allocator.PageAddress(pfn), bytes, pfn, pages);
            return true;
        }

        void* memory = NativeMemory.AllocZeroed((nuint)bytes);
        table = new PageExtTable((nint)memory, bytes, default, 0);
        return memory != null;
    }

    public void Free(PageExtTable table)
    {
        if (table.FromBuddy)
        {
            allocator.FreePagesExact(table.BuddyPfn, table.BuddyPages);
        }
        else
        {
            NativeMemory.Free((void*)table.Address);
        }
    }
}
