namespace PageExt.Physical;

/// <summary>
/// A fixed-size slice of physical memory (struct mem_section, SPARSEMEM). Sections are the unit of
/// memory hotplug: each one is added (gets page descriptors), onlined (its pages join a zone),
/// offlined and removed on its own, and each carries its own page_ext table.
/// </summary>
public sealed class MemorySection
{
    /// <summary>SECTION_SIZE_BITS on x86-64: 128 MiB sections.</summary>
    public const int SizeShift = 27;

    public const int PagesShift = SizeShift - PageSize.Shift;

    /// <summary>PAGES_PER_SECTION = 32768.</summary>
    public const int Pages = 1 << PagesShift;

    public const long SizeBytes = 1L << SizeShift;

    internal MemorySection(int number, int node)
    {
        Number = number;
        Node = node;
    }

    public int Number { get; }

    /// <summary>The NUMA node whose memory this section is.</summary>
    public int Node { get; }

    public Pfn StartPfn => new((ulong)Number << PagesShift);

    public Pfn EndPfn => new((ulong)(Number + 1) << PagesShift);

    public SectionState State { get; internal set; }
}
