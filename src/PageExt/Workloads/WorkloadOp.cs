using PageExt.Buddy;

namespace PageExt.Workloads;

/// <summary>One line of a workload file: an allocation or a free, made from a named call site.</summary>
/// <param name="Line">1-based line number in the file, for messages.</param>
/// <param name="Id">The name the file gives the block, so a later line can free it.</param>
public sealed record WorkloadOp(int Line, WorkloadOpKind Kind, string Id, int Order, GfpFlags Gfp, string Site);

public enum WorkloadOpKind
{
    Alloc,
    Free,
}
