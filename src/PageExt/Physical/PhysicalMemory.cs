using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using PageExt.Pages;
using PageExt.Platform;

namespace PageExt.Physical;

/// <summary>
/// The machine's physical memory: one reserved arena that backs every page frame, the memory map
/// of page descriptors, and the table of memory sections.
/// <para>
/// Design: SPARSEMEM_VMEMMAP, as x86-64 has it. The memory map is one virtually contiguous array
/// of <see cref="Page"/> indexed by PFN, but only the slices of present sections are committed, so
/// each section owns its own array of descriptors and a 64 GiB machine with holes or hot-pluggable
/// ranges pays only for what exists and is touched. pfn -> page and pfn -> address are each a
/// single add. The memory owns the pageblock table of its PFN space; what the table holds and how
/// it is read is pageblock code (Zones/Pageblock.cs).
/// </para>
/// <para>
/// Lifecycle: sections go Absent -> Offline (memory added: descriptors committed) -> Online (pages
/// handed to a zone) and back. Everything else in the model validates PFNs against the section
/// states here before touching a descriptor.
/// </para>
/// </summary>
public sealed unsafe class PhysicalMemory
{
    private readonly nint _arena;
    private readonly nint _memmap;
    private readonly nuint _arenaBytes;
    private readonly nuint _memmapBytes;
    private readonly MemorySection?[] _sections;

    // Native so the hot paths index them without bounds checks; every index is validated against
    // MaxPfn (or derived from a validated PFN) first.
    private readonly SectionState* _sectionStates;
    private bool _disposed;

    internal PhysicalMemory(ulong maxPfn)
    {
        if (maxPfn == 0 || (maxPfn & (MemorySection.Pages - 1)) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(maxPfn), maxPfn, "must be a positive multiple of a section's pages");
        }

        if (maxPfn > uint.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(maxPfn), maxPfn, "free lists link pages by 32-bit PFN: at most 16 TiB");
        }

        MaxPfn = maxPfn;
        _arenaBytes = (nuint)(maxPfn << PageSize.Shift);
        _memmapBytes = (nuint)(maxPfn * (ulong)sizeof(Page));
        _arena = VirtualMemory.Reserve(_arenaBytes);
        try
        {
            _memmap = VirtualMemory.Reserve(_memmapBytes);
        }
        catch
        {
            VirtualMemory.Release(_arena, _arenaBytes);
            throw;
        }

        int sections = (int)(maxPfn >> MemorySection.PagesShift);
        _sections = new MemorySection?[sections];
        _sectionStates = (SectionState*)NativeMemory.AllocZeroed((nuint)sections);
        Pageblocks = new PageblockTable(maxPfn);
    }

    /// <summary>First PFN past the end of the physical address space the machine can ever use.</summary>
    public ulong MaxPfn { get; }

    public int SectionCount => _sections.Length;

    /// <summary>Section states by section number, for callers that cache the table (hot paths).</summary>
    internal SectionState* SectionStates => _sectionStates;

    /// <summary>Migrate type and zone of every pageblock of the PFN space (Zones/Pageblock.cs).</summary>
    internal PageblockTable Pageblocks { get; }

    /// <summary>Base of the memory map: the descriptor of PFN p is at <c>Vmemmap + p</c>.</summary>
    internal Page* Vmemmap => (Page*)_memmap;

    /// <summary>Base of the arena: the bytes of PFN p start at <c>ArenaBase + (p &lt;&lt; PAGE_SHIFT)</c>.</summary>
    internal byte* ArenaBase => (byte*)_arena;

    public MemorySection? Section(int number) =>
        (uint)number < (uint)_sections.Length ? _sections[number] : null;

    public IEnumerable<MemorySection> PresentSections => _sections.Where(s => s is not null && s.State != SectionState.Absent)!;

    /// <summary>pfn_valid(): the PFN has a descriptor (its section is present, online or not).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal bool IsValid(ulong pfn) => pfn < MaxPfn && _sectionStates[pfn >> MemorySection.PagesShift] != SectionState.Absent;

    /// <summary>pfn_to_online_page() != NULL: the PFN belongs to a zone now.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal bool IsOnline(ulong pfn) => pfn < MaxPfn && _sectionStates[pfn >> MemorySection.PagesShift] == SectionState.Online;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal Page* PfnToPage(ulong pfn) => Vmemmap + pfn;

    /// <summary>page_address(): the first byte of a frame.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal nint PageAddress(ulong pfn) => _arena + (nint)(pfn << PageSize.Shift);

    /// <summary>True when the address lies in the arena; <paramref name="pfn"/> is then its frame.</summary>
    internal bool TryAddressToPfn(nint address, out ulong pfn)
    {
        ulong offset = unchecked((ulong)(address - _arena));
        pfn = offset >> PageSize.Shift;
        return (nuint)offset < _arenaBytes;
    }

    /// <summary>sparse_add_section(): commit descriptors (zeroed) and frames for a section.</summary>
    internal MemorySection AddSection(int number, int node)
    {
        if (_sectionStates[number] != SectionState.Absent)
        {
            throw new InvalidOperationException($"memory section {number} is already present");
        }

        var section = new MemorySection(number, node);
        ulong start = section.StartPfn.Value;
        VirtualMemory.Commit((nint)(Vmemmap + start), (nuint)(MemorySection.Pages * sizeof(Page)));
        VirtualMemory.Commit(PageAddress(start), (nuint)MemorySection.SizeBytes);
        Pageblocks.ClearZones(start, MemorySection.Pages);
        _sections[number] = section;
        SetState(section, SectionState.Offline);
        return section;
    }

    /// <summary>sparse_remove_section(): give descriptors and frames back to the OS.</summary>
    internal void RemoveSection(int number)
    {
        var section = _sections[number] ?? throw new InvalidOperationException($"memory section {number} is not present");
        if (section.State != SectionState.Offline)
        {
            throw new InvalidOperationException($"memory section {number} must be offline before it is removed");
        }

        ulong start = section.StartPfn.Value;
        VirtualMemory.Decommit((nint)(Vmemmap + start), (nuint)(MemorySection.Pages * sizeof(Page)));
        VirtualMemory.Decommit(PageAddress(start), (nuint)MemorySection.SizeBytes);
        SetState(section, SectionState.Absent);
        _sections[number] = null;
    }

    internal void SetState(MemorySection section, SectionState state)
    {
        section.State = state;
        _sectionStates[section.Number] = state;
    }

    /// <summary>Unmap everything; the machine's dispose calls it once no thread can touch the memory.</summary>
    internal void Release()
    {
        if (!_disposed)
        {
            _disposed = true;
            VirtualMemory.Release(_memmap, _memmapBytes);
            VirtualMemory.Release(_arena, _arenaBytes);
            NativeMemory.Free(_sectionStates);
            Pageblocks.Release();
        }
    }
}
