namespace PageExt.PageExtension;

/// <summary>
/// A page_ext client (struct page_ext_operations): a debugging feature that wants bytes of its own
/// beside every page descriptor. The framework asks every client <see cref="Need"/> once at boot,
/// gives each one that says yes an <see cref="Offset"/> in the per-page entry, allocates the
/// tables only if someone needed space, then calls <see cref="Init"/> on every client.
/// </summary>
public abstract class PageExtClient
{
    /// <summary>Name used in logs and in the effective-settings printout.</summary>
    public abstract string Name { get; }

    /// <summary>Bytes this client stores per page (0 for a client that uses only the shared flags).</summary>
    public abstract int SizeBytes { get; }

    /// <summary>Whether the client uses the shared per-page flags word (PAGE_EXT_OWNER, PAGE_EXT_DEBUG_GUARD, ...).</summary>
    public virtual bool NeedsSharedFlags => true;

    /// <summary>Mandatory, as in the kernel: does this boot need the client's space? Decided from the client's own boot settings.</summary>
    public abstract bool Need();

    /// <summary>
    /// Called for every client after the tables exist (or after the framework decided none are
    /// needed), whether or not this client asked for space: a client must check its own state.
    /// </summary>
    public virtual void Init(PageExtensions pageExt)
    {
    }

    /// <summary>Byte offset of this client's data in each entry; valid after boot when <see cref="Need"/> said yes.</summary>
    public int Offset { get; internal set; } = -1;

    /// <summary>True when the client got space at boot.</summary>
    public bool HasSpace => Offset >= 0;
}
