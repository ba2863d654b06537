namespace PageExt.Physical;

/// <summary>
/// A memory hotplug notifier (register_memory_notifier): told before a range of sections goes
/// online, so it can prepare (page_ext allocates its tables) or veto, and after it went offline
/// or an online was cancelled, so it can let go.
/// <para>Context: called on the thread doing the hotplug operation, with no zone lock held.</para>
/// </summary>
internal interface IMemoryNotifier
{
    /// <summary>MEM_GOING_ONLINE. Return false with a reason to veto; the notifier must then have undone its own work.</summary>
    bool GoingOnline(IReadOnlyList<MemorySection> sections, out string? error);

    /// <summary>MEM_OFFLINE and MEM_CANCEL_ONLINE.</summary>
    void Offline(IReadOnlyList<MemorySection> sections);
}
