namespace PageExt.Platform;

/// <summary>Access rights a page range can be given through <see cref="VirtualMemory.Protect"/>.</summary>
public enum MemoryAccess
{
    /// <summary>Every access faults (PROT_NONE / PAGE_NOACCESS).</summary>
    None,

    /// <summary>Normal data pages (PROT_READ|PROT_WRITE / PAGE_READWRITE).</summary>
    ReadWrite,
}
