using System.Reflection;

namespace PageExt.Stacks;

/// <summary>
/// Where a saver's own frames end and its caller's begin, and the fixed frames printed in their
/// place: what makes a captured stack canonical.
/// <para>
/// Why: the frames of the library that captures (for page_owner, the allocator between its public
/// entry point and the hook) are machine code that tiered compilation, PGO and OSR inline
/// differently from one tier to the next, so the same call path would unwind to several stacks.
/// The kernel can keep its allocator's frames because they never change; ours cannot. A canonical
/// stack therefore drops every leading frame for which <see cref="IsOwnFrame"/> holds, prints
/// <see cref="Prefix"/> in their place, and keeps the caller's frames by (method, IL offset), which
/// no recompilation changes.
/// </para>
/// </summary>
/// <param name="id">Distinguishes origins in depot keys (an allocation and a free from one line are two stacks); 1..255.</param>
/// <param name="prefix">The fixed innermost frames, printed as <c>name+0x0/0x0</c>.</param>
/// <param name="isOwnFrame">True for a method of the saver's own code (the frames the prefix stands for).</param>
internal sealed class StackOrigin(int id, string[] prefix, Func<MethodBase, bool> isOwnFrame)
{
    public int Id { get; } = id is >= 1 and <= 255 ? id : throw new ArgumentOutOfRangeException(nameof(id), "an origin id is 1..255");

    public IReadOnlyList<ResolvedFrame> Prefix { get; } = Array.ConvertAll(prefix, static name => new ResolvedFrame(name, 0, 0, 0));

    public Func<MethodBase, bool> IsOwnFrame { get; } = isOwnFrame;
}
