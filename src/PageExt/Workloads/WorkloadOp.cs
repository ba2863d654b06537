using PageExt.Buddy;

namespace PageExt.Workloads;

/// <summary>One line of a workload file: an allocation, a free or a batch free, made from a named call site.</summary>
/// <param name="Line">1-based line number in the file, for messages.</param>
/// <param name="Id">The name the file gives the block, so a later line can free it (a release's first block).</param>
public sealed record WorkloadOp(int Line, WorkloadOpKind Kind, string Id, int Order, GfpFlags Gfp, string Site)
{
    // Null unless set, so that operations of the other kinds stay equal field for field.
    private readonly IReadOnlyList<string>? _ids;

    /// <summary>The blocks a <see cref="WorkloadOpKind.Release"/> frees, in the line's order; just <see cref="Id"/> for the other kinds.</summary>
    public IReadOnlyList<string> Ids
    {
        get => _ids ?? [Id];
        init => _ids = value;
    }
}

public enum WorkloadOpKind
{
    /// <summary>alloc_pages().</summary>
    Alloc,

    /// <summary>__free_pages() of one block.</summary>
    Free,

    /// <summary>release_pages(): one batch free of several blocks (free_unref_folios).</summary>
    Release,
}
