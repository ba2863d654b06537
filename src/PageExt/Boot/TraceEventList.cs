namespace PageExt.Boot;

/// <summary>
/// The value of <c>trace_event=</c>: a comma-separated list, each entry spelled as the set_event
/// file takes it (kernel/trace/trace_events.c, ftrace_set_clr_event()): <c>system:event</c>,
/// <c>system:*</c> or <c>system:</c> (every event of the system), <c>*:event</c> or
/// <c>:event</c> (that event in any system), <c>*:*</c> (everything), or a bare word that names an
/// event or a system. Names compare exactly, as the kernel's strcmp() does. The system here is
/// <c>kmem</c> and its page events; an entry that matches none of them is an error, where the
/// kernel prints "Failed to enable trace event".
/// </summary>
public static class TraceEventList
{
    /// <summary>The system every kmem page event belongs to.</summary>
    public const string SystemName = "kmem";

    private static readonly (string Name, KmemTraceEvents Event)[] s_events =
    [
        ("mm_page_alloc", KmemTraceEvents.PageAlloc),
        ("mm_page_free", KmemTraceEvents.PageFree),
        ("mm_page_free_batched", KmemTraceEvents.PageFreeBatched),
        ("mm_page_alloc_zone_locked", KmemTraceEvents.PageAllocZoneLocked),
        ("mm_page_pcpu_drain", KmemTraceEvents.PagePcpuDrain),
        ("mm_page_alloc_extfrag", KmemTraceEvents.PageAllocExtfrag),
    ];

    /// <summary>The events by their kernel names, in kmem.h's order.</summary>
    public static IReadOnlyList<(string Name, KmemTraceEvents Event)> Events => s_events;

    /// <summary>What the boot parameter's error and the README list as accepted.</summary>
    public static string AllowedText { get; } =
        "comma-separated kmem:EVENT, kmem:*, kmem, *:EVENT or EVENT, with EVENT one of " + string.Join(' ', s_events.Select(e => e.Name));

    /// <summary>The kernel name of one event.</summary>
    public static string Name(KmemTraceEvents single) => s_events.First(e => e.Event == single).Name;

    /// <summary>Parses a list; null on success, else the entries that match no event, as the error says them.</summary>
    public static string? TryParse(string value, out KmemTraceEvents events)
    {
        events = KmemTraceEvents.None;
        var unknown = new List<string>();
        // Empty entries are skipped, as early_enable_events() skips them: "trace_event=" enables nothing.
        foreach (string entry in value.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var matched = Match(entry);
            if (matched == KmemTraceEvents.None)
            {
                unknown.Add(entry);
            }

            events |= matched;
        }

        return unknown.Count == 0 ? null : string.Join(", ", unknown.Select(u => $"'{u}'"));
    }

    /// <summary>The list that selects exactly <paramref name="events"/>, in kmem.h's order (kmem:* for all of them).</summary>
    public static string Format(KmemTraceEvents events) =>
        events == KmemTraceEvents.All
            ? SystemName + ":*"
            : string.Join(',', s_events.Where(e => (events & e.Event) != 0).Select(e => SystemName + ":" + e.Name));

    private static KmemTraceEvents Match(string entry)
    {
        int colon = entry.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
        {
            return entry == SystemName ? KmemTraceEvents.All : ByName(entry);
        }

        string system = entry[..colon];
        string name = entry[(colon + 1)..];
        bool anySystem = system is "" or "*";
        bool anyEvent = name is "" or "*";
        if (!anySystem && system != SystemName)
        {
            return KmemTraceEvents.None;
        }

        return anyEvent ? KmemTraceEvents.All : ByName(name);
    }

    private static KmemTraceEvents ByName(string name)
    {
        foreach (var (eventName, value) in s_events)
        {
            if (eventName == name)
            {
                return value;
            }
        }

        return KmemTraceEvents.None;
    }
}
