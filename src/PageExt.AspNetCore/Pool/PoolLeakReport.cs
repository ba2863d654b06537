using PageExt.Physical;

namespace PageExt.AspNetCore;

/// <summary>A buffer still rented when its pool was disposed, with page_owner's account of it.</summary>
public sealed record RentedBuffer(Pfn Pfn, int Order, string OwnerText)
{
    public int SizeBytes => PageSize.Bytes << Order;
}

/// <summary>
/// What a pool disposed with buffers still rented prints, in the words of Kestrel's
/// DiagnosticMemoryPool ("N of M returned"), followed by every rented buffer and the stack that
/// rented it (page_owner's allocation stack, when page_owner is on).
/// </summary>
public sealed record PoolLeakReport(string? PoolOwner, long Rented, long Returned, IReadOnlyList<RentedBuffer> Buffers, string Text)
{
    public override string ToString() => Text;
}

/// <summary>
/// A buffer returned a second time: the return is ignored (the pages may already belong to another
/// renter), and the report names the page, the stack of the second return, and page_owner's last
/// allocation (the rent) and free (the first return) stacks of the page.
/// </summary>
public sealed record DoubleReturnReport(string? PoolOwner, Pfn Pfn, int Order, string Text)
{
    public override string ToString() => Text;
}
