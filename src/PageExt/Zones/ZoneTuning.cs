namespace PageExt.Zones;

/// <summary>
/// The numbers derived from zone sizes: min_free_kbytes and the watermarks
/// (__setup_per_zone_wmarks), lowmem_reserve (setup_per_zone_lowmem_reserve) and the per-CPU cache
/// batch and high marks (zone_batchsize, zone_highsize). Recomputed at boot and after every
/// hotplug event, as the kernel does.
/// </summary>
internal static class ZoneTuning
{
    /// <summary>sysctl_lowmem_reserve_ratio: DMA, DMA32, Normal, Movable.</summary>
    private static readonly int[] s_lowmemReserveRatio = [256, 256, 32, 0];

    /// <summary>watermark_scale_factor default: 0.1% of the zone between marks.</summary>
    private const long WatermarkScaleFactor = 10;

    public static long MinFreeKbytes(IEnumerable<Zone> zones)
    {
        long lowmemPages = zones.Where(z => z.Type != ZoneType.Movable).Sum(z => z.ManagedPages);
        long lowmemKbytes = lowmemPages * (Physical.PageSize.Bytes >> 10);
        long min = (long)Math.Sqrt(lowmemKbytes * 16.0);
        return Math.Clamp(min, 128, 262144);
    }

    public static void Apply(IReadOnlyList<Node> nodes, int cpus)
    {
        var zones = nodes.SelectMany(n => n.Zones).ToArray();
        long pagesMin = MinFreeKbytes(zones) >> (Physical.PageSize.Shift - 10);
        long lowmemPages = zones.Where(z => z.Type != ZoneType.Movable).Sum(z => z.ManagedPages);
        foreach (var zone in zones)
        {
            long managed = zone.ManagedPages;
            long min;
            if (zone.Type == ZoneType.Movable)
            {
                // Treated like highmem: a small fixed minimum, the reserve lives in lowmem.
                min = Math.Clamp(managed / 1024, 32, 128);
            }
            else
            {
                min = lowmemPages == 0 ? 0 : pagesMin * managed / lowmemPages;
            }

            long gap = Math.Max(min / 4, managed * WatermarkScaleFactor / 10000);
            zone.Watermarks = new Watermarks(min, min + gap, min + (2 * gap));
            SetupPcp(zone, cpus);
        }

        foreach (var node in nodes)
        {
            for (int i = 0; i < ZoneTypes.Count; i++)
            {
                var lower = node.Zones[i];
                long managedAbove = 0;
                lower.LowmemReserve[i] = 0;
                for (int j = i + 1; j < ZoneTypes.Count; j++)
                {
                    managedAbove += node.Zones[j].ManagedPages;
                    int ratio = s_lowmemReserveRatio[i];
                    lower.LowmemReserve[j] = ratio == 0 || !lower.IsPopulated ? 0 : managedAbove / ratio;
                }
            }
        }
    }

    /// <summary>zone_batchsize() and zone_highsize() with the default high fraction.</summary>
    private static void SetupPcp(Zone zone, int cpus)
    {
        long batch = Math.Min(zone.ManagedPages >> 10, (1L << 20) >> Physical.PageSize.Shift);
        batch /= 4;
        batch = Math.Max(batch, 1);
        batch = Math.Max(RoundDownPowerOfTwo(batch + (batch / 2)) - 1, 1);
        long high = Math.Max(zone.Watermarks.Low / Math.Max(cpus, 1), batch * 4);
        zone.PcpBatch = (int)batch;
        zone.PcpHigh = (int)Math.Min(high, int.MaxValue);
    }

    private static long RoundDownPowerOfTwo(long value) => 1L << (63 - (int)long.LeadingZeroCount(value));
}
