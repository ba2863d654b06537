namespace PageExt.VmStat;

/// <summary>
/// A machine's allocator events since boot (all_vm_events()): the sum over every thread's
/// counters, each read without a lock, so a snapshot taken while other threads allocate may miss
/// their last few operations. Quiescent, it is exact.
/// </summary>
/// <param name="PgAllocDma">Pages allocated from DMA zones (pgalloc_dma).</param>
/// <param name="PgAllocDma32">Pages allocated from DMA32 zones (pgalloc_dma32).</param>
/// <param name="PgAllocNormal">Pages allocated from Normal zones (pgalloc_normal).</param>
/// <param name="PgAllocMovable">Pages allocated from Movable zones (pgalloc_movable).</param>
/// <param name="PgFree">Pages given back (pgfree). The kernel also counts the pages boot and memory hotplug release into the buddy allocator; PageExt counts only callers' frees, so that PgAlloc - PgFree is what callers hold.</param>
/// <param name="AllocCalls">Allocation calls that returned a block (PageExt's: the kernel counts pages only).</param>
/// <param name="FreeCalls">Free calls that gave a block back; bad frees are bad-page reports instead.</param>
/// <param name="AllocFailures">Allocation calls that returned no block.</param>
public readonly record struct VmEvents(
    long PgAllocDma,
    long PgAllocDma32,
    long PgAllocNormal,
    long PgAllocMovable,
    long PgFree,
    long AllocCalls,
    long FreeCalls,
    long AllocFailures)
{
    /// <summary>Pages allocated from every zone.</summary>
    public long PgAlloc => PgAllocDma + PgAllocDma32 + PgAllocNormal + PgAllocMovable;

    internal static VmEvents From(in VmEventState state, long allocFailures) => new(
        (long)state.Events[(int)VmEventItem.PgAllocDma],
        (long)state.Events[(int)VmEventItem.PgAllocDma32],
        (long)state.Events[(int)VmEventItem.PgAllocNormal],
        (long)state.Events[(int)VmEventItem.PgAllocMovable],
        (long)state.Events[(int)VmEventItem.PgFree],
        (long)state.Events[(int)VmEventItem.AllocCalls],
        (long)state.Events[(int)VmEventItem.FreeCalls],
        allocFailures);
}
