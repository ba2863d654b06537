using System.Text;
using PageExt.DebugPageAlloc;
using PageExt.Stacks;

namespace PageExt.Boot;

/// <summary>
/// The effective boot settings: an immutable snapshot made by <see cref="BootCommandLine.Parse"/>
/// from <see cref="BootParameterTable"/>. Only values live here; what each one does belongs to the
/// feature that reads it (page_owner, debug_pagealloc, the stack depot, the machine builder).
/// Defaults are the kernel's (<see cref="Default"/>); a size of 0 means "not given".
/// </summary>
public sealed record BootParameters
{
    /// <summary>Every parameter at its documented default.</summary>
    public static BootParameters Default { get; } = new();

    /// <summary><c>page_owner=</c>: record the allocating stack of every page.</summary>
    public bool PageOwner { get; init; }

    /// <summary><c>debug_pagealloc=</c> (also turned off by the 2014 <c>disable_debug_pagealloc</c>).</summary>
    public bool DebugPagealloc { get; init; }

    /// <summary><c>debug_guardpage_minorder=</c>: split-off buddies of a lower order become guard pages; 0..5.</summary>
    public int DebugGuardpageMinorder { get; init; }

    /// <summary><c>page_poison=</c>: fill freed pages with 0xaa and check them on allocation.</summary>
    public bool PagePoison { get; init; }

    /// <summary><c>stack_depot_disable=</c>: no stack storage; savers get the invalid handle.</summary>
    public bool StackDepotDisable { get; init; }

    /// <summary><c>stack_depot_max_pools=</c>: the depot's capacity in 16 KiB pools.</summary>
    public int StackDepotMaxPools { get; init; } = BootParameterTable.DefaultStackDepotMaxPools;

    /// <summary><c>page_owner_stack=</c> (PageExt): how page_owner captures stacks.</summary>
    public StackCaptureMode PageOwnerStack { get; init; } = StackCaptureMode.FramePointer;

    /// <summary><c>debug_pagealloc_max_ranges=</c> (PageExt): cap on page ranges protected at once.</summary>
    public int DebugPageallocMaxRanges { get; init; } = DebugPageAllocSettings.DefaultMaxProtectedRanges;

    /// <summary><c>trace_event=</c>: the kmem page events enabled from boot.</summary>
    public KmemTraceEvents TraceEvents { get; init; }

    /// <summary><c>trace_options=</c>: stacktrace (a stack entry after every event) and record-tgid.</summary>
    public TraceOptions TraceOptions { get; init; }

    /// <summary><c>trace_buf_size=</c>: bytes of trace ring buffer per CPU (per thread).</summary>
    public ulong TraceBufSize { get; init; } = BootParameterTable.DefaultTraceBufSize;

    /// <summary><c>movablecore=</c>: bytes of memory for ZONE_MOVABLE; 0 when not given.</summary>
    public ulong MovableCoreBytes { get; init; }

    /// <summary><c>cma=</c>: bytes of the default CMA area; 0 when not given.</summary>
    public ulong CmaBytes { get; init; }

    /// <summary><c>mem=</c>: memory limit in bytes; 0 when not given (no limit).</summary>
    public ulong MemBytes { get; init; }

    /// <summary>
    /// The effective settings as a command line, in table order: <c>name=value</c> for every
    /// parameter that holds state (the 2014 flag holds none; unset sizes are left out). Parsing the
    /// result gives back an equal object.
    /// </summary>
    public string ToCommandLine() => string.Join(' ', EffectiveSettings());

    /// <summary>One <c>name=value</c> line per setting, in table order (see <see cref="ToCommandLine"/>).</summary>
    public IEnumerable<string> EffectiveSettings()
    {
        foreach (var definition in BootParameterTable.All)
        {
            string? value = definition.Show(this);
            if (value is not null)
            {
                yield return definition.Name + "=" + value;
            }
        }
    }

    public override string ToString() => ToCommandLine();

    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append(ToCommandLine());
        return true;
    }
}
