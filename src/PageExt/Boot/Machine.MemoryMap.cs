using PageExt.Formatting;
using PageExt.Pages;
using PageExt.Physical;
using PageExt.Zones;

namespace PageExt;

/// <summary>The memory map behind boot steps 1 and 2: sections, zone spans, reserved pages, CMA.</summary>
public sealed unsafe partial class Machine
{
    /// <summary>sparse_init(): every section of boot memory that is not all hole becomes present.</summary>
    private void PresentSections()
    {
        for (int s = 0; (ulong)s << MemorySection.PagesShift < Layout.BootEndPfn; s++)
        {
            ulong start = (ulong)s << MemorySection.PagesShift;
            ulong end = Math.Min(start + MemorySection.Pages, Layout.BootEndPfn);
            if (!AllHole(start, end))
            {
                _memory.AddSection(s, NodeOf(start));
            }
        }
    }

    /// <summary>
    /// Where cma= takes its pageblocks: the top of node 0's highest non-movable zone. Refuses an
    /// area smaller than a pageblock or larger than half that zone.
    /// </summary>
    private static (ZoneType Zone, ulong StartPfn, ulong Blocks) CmaArea(MemoryLayout layout, long bytes)
    {
        if (bytes <= 0)
        {
            return (ZoneType.Normal, 0, 0);
        }

        int zone = -1;
        for (int z = (int)ZoneType.Movable - 1; z >= 0 && zone < 0; z--)
        {
            var (s, e) = layout.ZoneRanges[0, z];
            zone = e > s ? z : -1;
        }

        if (zone < 0)
        {
            throw new MachineDescriptionException("cma=: the machine has no zone to take the area from");
        }

        var (start, end) = layout.ZoneRanges[0, zone];
        ulong blocks = (ulong)(bytes >> PageSize.Shift) / Pageblock.Pages;
        if (blocks == 0 || blocks * Pageblock.Pages > (end - start) / 2)
        {
            throw new MachineDescriptionException(
                $"cma={ByteSize.Format(bytes)} does not fit: it must be at least one 2 MiB pageblock and at most half of node 0's {ZoneTypes.Name((ZoneType)zone)} zone ({ByteSize.Format((long)((end - start) * PageSize.Bytes / 2))})");
        }

        return ((ZoneType)zone, end - (blocks * Pageblock.Pages), blocks);
    }

    /// <summary>
    /// cma=: mark pageblocks at the top of node 0's highest non-movable zone MIGRATE_CMA before
    /// their pages are freed, so they start out on the CMA free lists (cma_init_reserved_areas).
    /// </summary>
    private void ReserveCma(long bytes)
    {
        var (zoneType, start, blocks) = CmaArea(Layout, bytes);
        if (blocks == 0)
        {
            return;
        }

        var zone = Nodes[0].Zone(zoneType);
        for (ulong block = start; block < zone.EndPfn.Value; block += Pageblock.Pages)
        {
            _memory.SetPageblockType(block, MigrateType.Cma);
        }

        Log.Print($"cma: Reserved {bytes >> 20} MiB at 0x{start << PageSize.Shift:x16}");
    }

    /// <summary>memmap_init_zone(): span, present and managed pages; every pageblock Movable; reserved pages marked.</summary>
    private void InitZone(Zone zone, ulong start, ulong end)
    {
        zone.StartPfn = new Pfn(start);
        zone.SpannedPages = end - start;
        for (ulong block = start; block < end; block += Pageblock.Pages)
        {
            if (_memory.IsValid(block))
            {
                _memory.SetPageblockZone(block, zone.Index);
                _memory.SetPageblockType(block, MigrateType.Movable);
            }
        }

        long present = 0, managed = 0;
        for (ulong block = start; block < end; block += Pageblock.Pages)
        {
            if (!_memory.IsValid(block) || Layout.IsHole(block))
            {
                if (_memory.IsValid(block))
                {
                    MarkReserved(zone, block, Math.Min(block + Pageblock.Pages, end));
                }

                continue;
            }

            present += (long)Math.Min((ulong)Pageblock.Pages, end - block);
        }

        foreach (var (runStart, runEnd) in UsableRuns(start, end))
        {
            managed += (long)(runEnd - runStart);
        }

        if (start == 0 && _memory.IsValid(0) && !Layout.IsHole(0))
        {
            // x86-64 never gives PFN 0 to the allocator (real-mode trampoline and BIOS data).
            MarkReserved(zone, 0, 1);
        }

        zone.PresentPages = present;
        zone.ManagedPages = managed;
    }

    private void MarkReserved(Zone zone, ulong start, ulong end)
    {
        ulong zoneBits = zone.FlagBits;
        for (ulong pfn = start; pfn < end; pfn++)
        {
            _memory.PfnToPage(pfn)->Flags = (ulong)PageFlags.Reserved | zoneBits;
        }
    }

    /// <summary>Runs of a PFN range with no hole, no absent section and not PFN 0.</summary>
    internal IEnumerable<(ulong Start, ulong End)> UsableRuns(ulong start, ulong end)
    {
        ulong runStart = ulong.MaxValue;
        for (ulong block = start; block < end; block += Pageblock.Pages)
        {
            bool usable = _memory.IsValid(block) && !Layout.IsHole(block);
            if (usable && runStart == ulong.MaxValue)
            {
                runStart = block == 0 ? 1 : block;
            }
            else if (!usable && runStart != ulong.MaxValue)
            {
                yield return (runStart, block);
                runStart = ulong.MaxValue;
            }
        }

        if (runStart != ulong.MaxValue)
        {
            yield return (runStart, end);
        }
    }

    private bool AllHole(ulong start, ulong end)
    {
        for (ulong block = start; block < end; block += Pageblock.Pages)
        {
            if (!Layout.IsHole(block))
            {
                return false;
            }
        }

        return true;
    }

    internal int NodeOf(ulong pfn)
    {
        for (int n = 0; n < Layout.NodeRanges.Length; n++)
        {
            if (pfn < Layout.NodeRanges[n].End)
            {
                return n;
            }
        }

        return Layout.NodeRanges.Length - 1;
    }

    private void PrintZoneRanges()
    {
        Log.Print("Zone ranges:");
        for (int z = 0; z < (int)ZoneType.Movable; z++)
        {
            ulong lo = ulong.MaxValue, hi = 0;
            for (int n = 0; n < Nodes.Count; n++)
            {
                var (s, e) = Layout.ZoneRanges[n, z];
                if (e > s)
                {
                    lo = Math.Min(lo, s);
                    hi = Math.Max(hi, e);
                }
            }

            string name = ZoneTypes.Name((ZoneType)z);
            Log.Print(hi == 0
                ? $"  {name,-8} empty"
                : $"  {name,-8} [mem 0x{Math.Max(lo, 1) << PageSize.Shift:x16}-0x{(hi << PageSize.Shift) - 1:x16}]");
        }
    }
}
