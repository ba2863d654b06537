namespace PageExt.Buddy;

/// <summary>
/// Marks a type whose methods are the allocator's own code as seen from a caller: its public entry
/// points and what they inline. Stacks recorded for an allocation (page_owner) cut every such frame,
/// together with the allocator clients' frames, so that a stack starts at the caller's code however
/// the JIT inlined the entry point. Types declare it themselves, so a recorder needs no reference to
/// the types above the allocator (the machine).
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
internal sealed class AllocatorFrameAttribute : Attribute;
