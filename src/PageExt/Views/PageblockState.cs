namespace PageExt.Views;

/// <summary>
/// One pageblock of a populated zone as the memory map shows it.
/// </summary>
/// <param name="StartPfn">First PFN of the block, pageblock-aligned.</param>
/// <param name="Pages">Online pages of the block in this zone: <c>Pageblock.Pages</c> unless the zone or memory ends inside it.</param>
/// <param name="FreePages">Pages in buddy, per-CPU and guard blocks; 0 &lt;= FreePages &lt;= Pages.</param>
/// <param name="MigrateType">get_pageblock_migratetype(), by the kernel's name.</param>
/// <param name="Mixed">Counted by pagetypeinfo's "Number of mixed blocks"; null when page_owner is off.</param>
public sealed record PageblockState(int Node, string ZoneName, ulong StartPfn, int Pages, int FreePages, string MigrateType, bool? Mixed);
