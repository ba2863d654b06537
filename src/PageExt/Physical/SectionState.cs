namespace PageExt.Physical;

/// <summary>Lifecycle of a memory section (SECTION_MARKED_PRESENT, SECTION_IS_ONLINE).</summary>
public enum SectionState : byte
{
    /// <summary>No memory behind this part of the physical address space (a hole, or not yet hot-added).</summary>
    Absent = 0,

    /// <summary>Memory exists and has page descriptors, but none of it is in the buddy allocator.</summary>
    Offline = 1,

    /// <summary>Every page is managed by a zone: free in the buddy allocator, allocated, or reserved.</summary>
    Online = 2,
}
