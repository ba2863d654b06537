using PageExt.Buddy;
using PageExt.Physical;
using PageExt.Zones;

namespace PageExt.Hotplug;

/// <summary>
/// Memory hotplug (mm/memory_hotplug.c): add sections of physical memory, online them into a zone,
/// offline them again and remove them, while the machine runs.
/// <para>
/// Offlining isolates the sections' pageblocks (no allocation can take their free pages any more),
/// drains the per-CPU caches, and then requires every page to be free. The kernel would migrate
/// movable pages away; pages handed out by this model are raw memory that callers hold pointers
/// into, so nothing can be moved, and an offline with any page in use fails, naming the page, and
/// restores the pageblocks exactly as they were.
/// </para>
/// <para>
/// Concurrency model: hotplug operations are serialised by a machine-wide lock (the kernel's
/// mem_hotplug_lock) and may run while other threads allocate and free.
/// </para>
/// <para>
/// Layering: hotplug works on sections and zones; what happens to single pages (the isolation
/// test, taking free and guard blocks off the lists) is the allocator's, as
/// test_pages_isolated() and __offline_isolated_pages() are page_alloc's in the kernel.
/// </para>
/// </summary>
public sealed class MemoryHotplug
{
    private readonly PageAllocator _allocator;
    private readonly int _cpus;
    private readonly PhysicalMemory _memory;
    private readonly Lock _hotplugLock = new();
    private readonly List<IMemoryNotifier> _notifiers = [];

    internal MemoryHotplug(PageAllocator allocator, int cpus)
    {
        _allocator = allocator;
        _cpus = cpus;
        _memory = allocator.Memory;
    }

    internal void Register(IMemoryNotifier notifier)
    {
        lock (_hotplugLock)
        {
            _notifiers.Add(notifier);
        }
    }

    /// <summary>add_memory(): make sections present (descriptors committed) but keep them offline.</summary>
    public void AddMemory(int firstSection, int count, int node = 0)
    {
        using var operation = _allocator.EnterOperation();
        lock (_hotplugLock)
        {
            CheckRange(firstSection, count);
            if ((uint)node >= (uint)_allocator.Nodes.Count)
            {
                throw new ArgumentOutOfRangeException(nameof(node), node, $"the machine has {_allocator.Nodes.Count} node(s)");
            }

            for (int s = firstSection; s < firstSection + count; s++)
            {
                if (_memory.Section(s) is not null)
                {
                    throw new InvalidOperationException($"memory section {s} is already present");
                }
            }

            for (int s = firstSection; s < firstSection + count; s++)
            {
                _memory.AddSection(s, node);
            }
        }
    }

    /// <summary>
    /// online_pages(): hand offline sections to a zone. The notifiers may veto (page_ext cannot get
    /// its tables), in which case nothing changes.
    /// </summary>
    public bool TryOnline(int firstSection, int count, out string? error, ZoneType? zoneType = null)
    {
        using var operation = _allocator.EnterOperation();
        lock (_hotplugLock)
        {
            if (!TryCollectSections(firstSection, count, SectionState.Offline, out var sections, out error))
            {
                return false;
            }

            var type = zoneType ?? DefaultZone(sections[0].StartPfn.Value);
            if (type is ZoneType.Dma || (type == ZoneType.Dma32 && sections[^1].EndPfn.Value > ZoneTypes.Dma32EndPfn))
            {
                error = $"memory cannot be onlined to ZONE_{ZoneTypes.Name(type).ToUpperInvariant()} at {sections[0].StartPfn}";
                return false;
            }

            foreach (var notifier in _notifiers)
            {
                if (!notifier.GoingOnline(sections, out error))
                {
                    for (int i = _notifiers.IndexOf(notifier) - 1; i >= 0; i--)
                    {
                        _notifiers[i].Offline(sections);
                    }

                    return false;
                }
            }

            foreach (var section in sections)
            {
                OnlineSection(section, type);
            }

            Retune();
            error = null;
            return true;
        }
    }

    /// <summary>
    /// offline_pages(): take sections out of their zone. Fails, changing nothing, when any page in
    /// them is in use.
    /// </summary>
    public bool TryOffline(int firstSection, int count, out string? error)
    {
        using var operation = _allocator.EnterOperation();
        lock (_hotplugLock)
        {
            if (!TryCollectSections(firstSection, count, SectionState.Online, out var sections, out error))
            {
                return false;
            }

            var saved = IsolateSections(sections);
            _allocator.DrainAllPages();
            if (!TryTakeOffline(sections, out error))
            {
                UndoIsolation(saved);
                return false;
            }

            foreach (var notifier in _notifiers)
            {
                notifier.Offline(sections);
            }

            Retune();
            return true;
        }
    }

    /// <summary>remove_memory(): offline sections give their descriptors and frames back to the OS.</summary>
    public void RemoveMemory(int firstSection, int count)
    {
        using var operation = _allocator.EnterOperation();
        lock (_hotplugLock)
        {
            CheckRange(firstSection, count);
            for (int s = firstSection; s < firstSection + count; s++)
            {
                var section = _memory.Section(s);
                if (section is null || section.State != SectionState.Offline)
                {
                    throw new InvalidOperationException($"memory section {s} must be present and offline to be removed");
                }
            }

            for (int s = firstSection; s < firstSection + count; s++)
            {
                _memory.RemoveSection(s);
            }
        }
    }

    /// <summary>The range's sections, when every one of them is present and in <paramref name="state"/>; otherwise why not.</summary>
    private bool TryCollectSections(int firstSection, int count, SectionState state, out List<MemorySection> sections, out string? error)
    {
        CheckRange(firstSection, count);
        sections = new List<MemorySection>(count);
        for (int s = firstSection; s < firstSection + count; s++)
        {
            var section = _memory.Section(s);
            if (section is null || section.State != state)
            {
                error = state == SectionState.Offline
                    ? $"memory section {s} is {(section is null ? "not present" : "already online")}"
                    : $"memory section {s} is not online";
                return false;
            }

            sections.Add(section);
        }

        error = null;
        return true;
    }

    private void CheckRange(int firstSection, int count)
    {
        if (count <= 0 || firstSection < 0 || firstSection + count > _memory.SectionCount)
        {
            throw new ArgumentOutOfRangeException(nameof(firstSection),
                $"sections {firstSection}..{firstSection + count - 1} are outside the machine's address space (0..{_memory.SectionCount - 1})");
        }
    }

    private static ZoneType DefaultZone(ulong pfn) => pfn < ZoneTypes.Dma32EndPfn ? ZoneType.Dma32 : ZoneType.Normal;

    private void OnlineSection(MemorySection section, ZoneType type)
    {
        var zone = _allocator.Nodes[section.Node].Zone(type);
        ulong start = section.StartPfn.Value, end = section.EndPfn.Value;
        lock (zone.Lock)
        {
            if (zone.SpannedPages == 0)
            {
                zone.StartPfn = section.StartPfn;
                zone.SpannedPages = MemorySection.Pages;
            }
            else
            {
                ulong zs = Math.Min(zone.StartPfn.Value, start), ze = Math.Max(zone.EndPfn.Value, end);
                zone.StartPfn = new Pfn(zs);
                zone.SpannedPages = ze - zs;
            }

            for (ulong block = start; block < end; block += Pageblock.Pages)
            {
                _memory.SetPageblockZone(block, zone.Index);
                _memory.SetPageblockType(block, MigrateType.Movable);
            }

            zone.PresentPages += MemorySection.Pages;
            zone.ManagedPages += MemorySection.Pages;
        }

        _memory.SetState(section, SectionState.Online);
        _allocator.FreeRangeToBuddy(zone, start, end);
    }

    private List<(Zone Zone, ulong Block, MigrateType Type)> IsolateSections(List<MemorySection> sections)
    {
        var saved = new List<(Zone, ulong, MigrateType)>();
        foreach (var section in sections)
        {
            for (ulong block = section.StartPfn.Value; block < section.EndPfn.Value; block += Pageblock.Pages)
            {
                var zone = _allocator.Zones[_memory.PageblockZone(block)];
                lock (zone.Lock)
                {
                    var type = _memory.PageblockType(block);
                    saved.Add((zone, block, type));
                    _allocator.MoveFreePagesBlockLocked(zone, (uint)block, type, MigrateType.Isolate);
                }
            }
        }

        return saved;
    }

    private void UndoIsolation(List<(Zone Zone, ulong Block, MigrateType Type)> saved)
    {
        foreach (var (zone, block, type) in saved)
        {
            lock (zone.Lock)
            {
                _allocator.MoveFreePagesBlockLocked(zone, (uint)block, MigrateType.Isolate, type);
            }
        }
    }

    /// <summary>test_pages_isolated() then __offline_isolated_pages(), per zone under its lock.</summary>
    private bool TryTakeOffline(List<MemorySection> sections, out string? error)
    {
        foreach (var section in sections)
        {
            var zone = _allocator.Zones[_memory.PageblockZone(section.StartPfn.Value)];
            lock (zone.Lock)
            {
                if (!_allocator.TestPagesIsolatedLocked(section.StartPfn.Value, section.EndPfn.Value, out error))
                {
                    return false;
                }
            }
        }

        foreach (var section in sections)
        {
            var zone = _allocator.Zones[_memory.PageblockZone(section.StartPfn.Value)];
            lock (zone.Lock)
            {
                _allocator.OfflineIsolatedPagesLocked(zone, section.StartPfn.Value, section.EndPfn.Value);
                zone.PresentPages -= MemorySection.Pages;
                zone.ManagedPages -= MemorySection.Pages;
            }

            _memory.SetState(section, SectionState.Offline);
        }

        error = null;
        return true;
    }

    private void Retune()
    {
        _allocator.Retune(_allocator.Nodes, _cpus);
    }
}
