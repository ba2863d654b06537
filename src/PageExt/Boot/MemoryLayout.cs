using PageExt.Formatting;
using PageExt.Physical;
using PageExt.Zones;

namespace PageExt;

/// <summary>
/// Where every node and zone starts and ends, computed from a <see cref="MachineDescription"/> the
/// way x86-64 lays out memory (free_area_init): ZONE_DMA below 16 MiB, ZONE_DMA32 below 4 GiB,
/// ZONE_NORMAL above, and ZONE_MOVABLE carved from the top of each node's highest zone when
/// movablecore= asks for it. Pure: it allocates nothing the machine keeps. Boot step 1's plan
/// (the e820 map the kernel gets from firmware), so it sits with the boot, beside the
/// <see cref="MachineDescription"/> it reads.
/// </summary>
internal sealed class MemoryLayout
{
    public const long MinMemoryBytes = 64L << 20;

    /// <summary>
    /// One past the largest PFN a machine can have, boot memory and hot-plug room together: free
    /// and per-CPU lists link pages by 32-bit PFN and 0xffffffff marks a list's end, so PFNs run
    /// below 2^32 - 1; whole 128 MiB sections make it 2^32 - 32768. That is 16 TiB - 128 MiB of
    /// memory, reserved as address space (the arena, plus 32 bytes of descriptor per page), of
    /// which boot commits what is present.
    /// </summary>
    public const ulong MaxPfnLimit = (1UL << 32) - MemorySection.Pages;

    public const long MaxMemoryBytes = (long)MaxPfnLimit << PageSize.Shift;
    private const long AlignBytes = (long)Pageblock.Pages << PageSize.Shift;

    private MemoryLayout(ulong bootEndPfn, ulong maxPfn, (ulong Start, ulong End)[] nodes, (ulong Start, ulong End)[,] zones, (ulong Start, ulong End)[] holes)
    {
        BootEndPfn = bootEndPfn;
        MaxPfn = maxPfn;
        NodeRanges = nodes;
        ZoneRanges = zones;
        Holes = holes;
    }

    /// <summary>First PFN past boot memory.</summary>
    public ulong BootEndPfn { get; }

    /// <summary>First PFN past the address space (boot memory plus hot-pluggable room), section aligned.</summary>
    public ulong MaxPfn { get; }

    public (ulong Start, ulong End)[] NodeRanges { get; }

    /// <summary>[node, zone type] -> PFN range; Start == End for an empty zone.</summary>
    public (ulong Start, ulong End)[,] ZoneRanges { get; }

    public (ulong Start, ulong End)[] Holes { get; }

    public bool IsHole(ulong pfn)
    {
        foreach (var (start, end) in Holes)
        {
            if (pfn >= start && pfn < end)
            {
                return true;
            }
        }

        return false;
    }

    /// <param name="movableBytes">movablecore=: memory for ZONE_MOVABLE, split between nodes.</param>
    /// <param name="memLimitBytes">mem=: use at most this much of the described memory (0 = all).</param>
    public static MemoryLayout Compute(MachineDescription description, long movableBytes, long memLimitBytes = 0)
    {
        long memory = description.MemoryBytes;
        if (memLimitBytes > 0 && memLimitBytes < memory)
        {
            memory = memLimitBytes & ~(AlignBytes - 1);
        }

        if (memory < MinMemoryBytes || memory > MaxMemoryBytes || memory % AlignBytes != 0)
        {
            throw new MachineDescriptionException(
                $"memory must be a multiple of 2 MiB from {ByteSize.Format(MinMemoryBytes)} to {ByteSize.Format(MaxMemoryBytes)} (16 TiB less one 128 MiB section: pages are numbered by 32-bit PFN){(memory != description.MemoryBytes ? " after the mem= limit" : "")}; got {ByteSize.Format(memory)}");
        }

        if (description.HotplugBytes < 0 || description.HotplugBytes % MemorySection.SizeBytes != 0)
        {
            throw new MachineDescriptionException($"hotplug room must be a non-negative multiple of the 128 MiB section size; got {description.HotplugBytes}");
        }

        ulong bootEnd = (ulong)memory >> PageSize.Shift;
        ulong sections = (bootEnd + MemorySection.Pages - 1) >> MemorySection.PagesShift;
        int nodeCount = description.Nodes;
        if (nodeCount < 1 || nodeCount > 64 || (ulong)nodeCount > sections)
        {
            throw new MachineDescriptionException($"nodes must be 1..{Math.Min(64UL, sections)}: each node needs at least one 128 MiB section; got {nodeCount}");
        }

        ulong maxPfn = (sections << MemorySection.PagesShift) + ((ulong)description.HotplugBytes >> PageSize.Shift);
        if (maxPfn > MaxPfnLimit)
        {
            throw new MachineDescriptionException(
                $"memory plus hot-plug room must be at most {ByteSize.Format(MaxMemoryBytes)}; got {ByteSize.Format(memory)} + {ByteSize.Format(description.HotplugBytes)}");
        }

        var holes = ValidateHoles(description, bootEnd);

        var nodes = new (ulong, ulong)[nodeCount];
        for (int n = 0; n < nodeCount; n++)
        {
            ulong start = (sections * (ulong)n / (ulong)nodeCount) << MemorySection.PagesShift;
            ulong end = n == nodeCount - 1 ? bootEnd : (sections * (ulong)(n + 1) / (ulong)nodeCount) << MemorySection.PagesShift;
            nodes[n] = (start, end);
        }

        var zones = new (ulong Start, ulong End)[nodeCount, ZoneTypes.Count];
        ulong movablePerNode = ((ulong)movableBytes >> PageSize.Shift) / (ulong)nodeCount;
        movablePerNode &= ~(ulong)(Pageblock.Pages - 1);
        for (int n = 0; n < nodeCount; n++)
        {
            var (start, end) = nodes[n];
            if (end <= start)
            {
                throw new MachineDescriptionException($"node {n} would have no memory after the mem= limit; got {memory}");
            }

            zones[n, (int)ZoneType.Dma] = Clip(start, end, 0, ZoneTypes.DmaEndPfn);
            zones[n, (int)ZoneType.Dma32] = Clip(start, end, ZoneTypes.DmaEndPfn, ZoneTypes.Dma32EndPfn);
            zones[n, (int)ZoneType.Normal] = Clip(start, end, ZoneTypes.Dma32EndPfn, ulong.MaxValue);
            zones[n, (int)ZoneType.Movable] = (end, end);
            if (movablePerNode > 0)
            {
                // find_usable_zone_for_movable(): ZONE_MOVABLE takes the top of the highest populated zone.
                for (int z = (int)ZoneType.Normal; z >= 0; z--)
                {
                    var (zs, ze) = zones[n, z];
                    if (ze > zs)
                    {
                        ulong take = Math.Min(movablePerNode, (ze - zs) / 2 & ~(ulong)(Pageblock.Pages - 1));
                        zones[n, z] = (zs, ze - take);
                        zones[n, (int)ZoneType.Movable] = (ze - take, ze);
                        break;
                    }
                }
            }
        }

        return new MemoryLayout(bootEnd, maxPfn, nodes, zones, holes);
    }

    private static (ulong, ulong)[] ValidateHoles(MachineDescription description, ulong bootEnd)
    {
        var holes = new List<(ulong, ulong)>();
        foreach (var hole in description.Holes)
        {
            if (hole.StartBytes < 0 || hole.SizeBytes <= 0 || hole.StartBytes % AlignBytes != 0 || hole.SizeBytes % AlignBytes != 0)
            {
                throw new MachineDescriptionException($"holes must start and end on 2 MiB (pageblock) boundaries; got {hole}");
            }

            ulong start = (ulong)hole.StartBytes >> PageSize.Shift, end = (ulong)hole.EndBytes >> PageSize.Shift;
            if (end > bootEnd)
            {
                throw new MachineDescriptionException($"a hole must lie inside boot memory; got {hole}");
            }

            holes.Add((start, end));
        }

        return [.. holes];
    }

    private static (ulong, ulong) Clip(ulong start, ulong end, ulong lo, ulong hi)
    {
        ulong s = Math.Max(start, lo), e = Math.Min(end, hi);
        return e > s ? (s, e) : (0, 0);
    }
}
