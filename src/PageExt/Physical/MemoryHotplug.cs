using PageExt.Pages;
using PageExt.Zones;

namespace PageExt.Physical;

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
/// </summary>
public sealed unsafe class MemoryHotplug
{
    private readonly Machine _machine;
    private readonly PhysicalMemory _memory;
    private readonly Lock _hotplugLock = new();
    private readonly List<IMemoryNotifier> _notifiers = [];

    internal MemoryHotplug(Machine machine)
    {
        _machine = machine;
        _memory = machine.Memory;
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
        using var operation = _machine.EnterOperation();
        lock (_hotplugLock)
        {
            CheckRange(firstSection, count);
            if ((uint)node >= (uint)_machine.Nodes.Count)
            {
                throw new ArgumentOutOfRangeException(nameof(node), node, $"the machine has {_machine.Nodes.Count} node(s)");
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
        using var operation = _machine.EnterOperation();
        lock (_hotplugLock)
        {
            CheckRange(firstSection, count);
            var sections = new List<MemorySection>();
            for (int s = firstSection; s < firstSection + count; s++)
            {
                var section = _memory.Section(s);
                if (section is null || section.State != SectionState.Offline)
                {
                    error = $"memory section {s} is {(section is null ? "not present" : "already online")}";
                    return false;
                }

                sections.Add(section);
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
        using var operation = _machine.EnterOperation();
        lock (_hotplugLock)
        {
            CheckRange(firstSection, count);
            var sections = new List<MemorySection>();
            for (int s = firstSection; s < firstSection + count; s++)
            {
                var section = _memory.Section(s);
                if (section is null || section.State != SectionState.Online)
                {
                    error = $"memory section {s} is not online";
                    return false;
                }

                sections.Add(section);
            }

            var saved = IsolateSections(sections);
            _machine.Allocator.DrainAllPages();
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
        using var operation = _machine.EnterOperation();
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
        var zone = _machine.Nodes[section.Node].Zone(type);
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
        _machine.Allocator.FreeRangeToBuddy(zone, start, end);
    }

    private List<(Zone Zone, ulong Block, MigrateType Type)> IsolateSections(List<MemorySection> sections)
    {
        var saved = new List<(Zone, ulong, MigrateType)>();
        foreach (var section in sections)
        {
            for (ulong block = section.StartPfn.Value; block < section.EndPfn.Value; block += Pageblock.Pages)
            {
                var zone = _machine.Zones[_memory.PageblockZone(block)];
                lock (zone.Lock)
                {
                    var type = _memory.PageblockType(block);
                    saved.Add((zone, block, type));
                    _machine.Allocator.MoveFreePagesBlockLocked(zone, (uint)block, type, MigrateType.Isolate);
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
                _machine.Allocator.MoveFreePagesBlockLocked(zone, (uint)block, MigrateType.Isolate, type);
            }
        }
    }

    /// <summary>test_pages_isolated() then __offline_isolated_pages(), per zone under its lock.</summary>
    private bool TryTakeOffline(List<MemorySection> sections, out string? error)
    {
        foreach (var section in sections)
        {
            ulong start = section.StartPfn.Value, end = section.EndPfn.Value;
            var zone = _machine.Zones[_memory.PageblockZone(start)];
            lock (zone.Lock)
            {
                for (ulong pfn = start; pfn < end;)
                {
                    Page* page = _memory.PfnToPage(pfn);
                    if (page->Type is (byte)PageType.Buddy or (byte)PageType.Guard)
                    {
                        pfn += 1UL << (int)page->Private;
                        continue;
                    }

                    error = DescribeBusy(pfn, page);
                    return false;
                }
            }
        }

        foreach (var section in sections)
        {
            ulong start = section.StartPfn.Value, end = section.EndPfn.Value;
            var zone = _machine.Zones[_memory.PageblockZone(start)];
            lock (zone.Lock)
            {
                for (ulong pfn = start; pfn < end;)
                {
                    Page* page = _memory.PfnToPage(pfn);
                    int order = (int)page->Private;
                    if (page->Type == (byte)PageType.Guard)
                    {
                        page->Type = (byte)PageType.None;
                        zone.GuardPages -= 1L << order;
                    }
                    else
                    {
                        zone.DelFromFreeListLocked((uint)pfn, order, MigrateType.Isolate);
                    }

                    pfn += 1UL << order;
                }

                zone.PresentPages -= MemorySection.Pages;
                zone.ManagedPages -= MemorySection.Pages;
            }

            _memory.SetState(section, SectionState.Offline);
        }

        error = null;
        return true;
    }

    private static string DescribeBusy(ulong pfn, Page* page)
    {
        string what = (PageType)page->Type switch
        {
            PageType.PerCpu => "is on a per-CPU list (freed concurrently; retry)",
            PageType.Bad => "was taken out of circulation by a bad-page report",
            _ when (page->Flags & (ulong)PageFlags.Reserved) != 0 => "is reserved",
            _ when page->HeadPfnPlusOne != 0 => $"is part of the block allocated at pfn 0x{page->HeadPfnPlusOne - 1:x}",
            _ => $"is allocated (order {page->AllocOrder})",
        };
        return $"cannot offline: pfn 0x{pfn:x} {what}";
    }

    private void Retune()
    {
        _machine.Allocator.Retune(_machine.Nodes, _machine.Description.Cpus);
    }
}
