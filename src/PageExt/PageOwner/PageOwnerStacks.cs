using PageExt.Stacks;

namespace PageExt.PageOwner;

/// <summary>
/// /sys/kernel/debug/page_owner_stacks/ (v6.9, v6.19): per allocation stack, the base pages it
/// holds now. Stacks are listed newest first; entries with fewer live pages than 1 or than
/// <see cref="PageOwner.CountThreshold"/> are hidden from the page-counting files.
/// </summary>
public static class PageOwnerStacks
{
    /// <summary>show_stacks: frames, then "nr_base_pages: N".</summary>
    public static void WriteStacks(TextWriter output, PageOwner owner) => Write(output, owner, frames: true, handle: false, pages: true);

    /// <summary>show_handles (v6.19): "handle: H", then "nr_base_pages: N".</summary>
    public static void WriteHandles(TextWriter output, PageOwner owner) => Write(output, owner, frames: false, handle: true, pages: true);

    /// <summary>show_stacks_handles (v6.19): frames, then "handle: H"; no threshold, no page count.</summary>
    public static void WriteStacksHandles(TextWriter output, PageOwner owner) => Write(output, owner, frames: true, handle: true, pages: false);

    /// <summary>The stacks with their live base pages, newest first. Each call path is one stack (see <see cref="StackSaver"/>).</summary>
    public static IReadOnlyList<(StackHandle Handle, long BasePages)> Collect(PageOwner owner)
    {
        ArgumentNullException.ThrowIfNull(owner);
        owner.Allocator.ThrowIfShutDown();
        _ = owner.Depot ?? throw new InvalidOperationException("page_owner is disabled (boot with page_owner=on)");
        return owner.Stacks.Select(h => (h, owner.LiveBasePages(h))).ToArray();
    }

    private static void Write(TextWriter output, PageOwner owner, bool frames, bool handle, bool pages)
    {
        var depot = owner.Depot!;
        foreach (var (stack, basePages) in Collect(owner))
        {
            if (pages && (basePages < 1 || basePages < owner.CountThreshold))
            {
                continue;
            }

            if (frames)
            {
                depot.Print(output, stack);
            }

            if (handle)
            {
                output.Write($"handle: {(int)stack.Value}\n");
            }

            if (pages)
            {
                output.Write($"nr_base_pages: {basePages}\n");
            }

            output.Write('\n');
        }
    }
}
