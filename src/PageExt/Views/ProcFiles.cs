using PageExt.PageOwner;

namespace PageExt.Views;

/// <summary>How a machine's /proc files are captured: the CMA column when cma= reserved blocks, mixed blocks when page_owner is on.</summary>
public static class ProcFiles
{
    public static MemorySnapshot Snapshot(Machine machine)
    {
        ArgumentNullException.ThrowIfNull(machine);
        var owner = machine.PageOwner;
        return MemorySnapshot.Capture(machine, machine.HasCma, owner.IsEnabled ? zone => MixedBlocks.Count(owner, zone) : null);
    }
}
