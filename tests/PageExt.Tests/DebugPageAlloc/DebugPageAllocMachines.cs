using System.Globalization;
using PageExt.DebugPageAlloc;

namespace PageExt.Tests.DebugPageAlloc;

/// <summary>Machines booted with debug_pagealloc settings, and the checks every test here runs after it acts.</summary>
internal static class DebugPageAllocMachines
{
    /// <summary>
    /// One CPU slot, so order-0 frees and allocations on one thread go through one per-CPU list
    /// (LIFO): the page just freed is the next one handed out, whatever CPU the thread runs on.
    /// </summary>
    public static Machine Boot(DebugPageAllocSettings settings, out DebugPageAllocFeature feature, long memoryBytes = 128L << 20, TimeProvider? clock = null, int cpus = 1, long hotplugBytes = 0)
    {
        feature = DebugPageAllocFeature.Create(settings, clock ?? TimeProvider.System);
        return Machine.Boot(new MachineDescription { MemoryBytes = memoryBytes, Cpus = cpus, HotplugBytes = hotplugBytes }, [], debugPageAlloc: feature);
    }

    /// <summary>The allocator's invariant walker and the feature's own (guard flags, protected ranges).</summary>
    public static void AssertAllConsistent(this Machine machine, DebugPageAllocFeature feature)
    {
        machine.AssertConsistent();
        var problems = feature.CheckInvariants();
        Assert.True(problems.Count == 0, "debug_pagealloc invariants broken:\n" + string.Join("\n", problems));
    }

    /// <summary>
    /// The permissions /proc/self/maps shows for the mapping holding <paramref name="address"/>
    /// ("rw-p", "---p"): what the OS really enforces, not what the model believes.
    /// </summary>
    public static string ProtectionOf(nint address)
    {
        ulong target = (ulong)address;
        foreach (var line in File.ReadLines("/proc/self/maps"))
        {
            int dash = line.IndexOf('-', StringComparison.Ordinal);
            int space = line.IndexOf(' ', StringComparison.Ordinal);
            ulong start = ulong.Parse(line.AsSpan(0, dash), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            ulong end = ulong.Parse(line.AsSpan(dash + 1, space - dash - 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            if (target >= start && target < end)
            {
                return line.Substring(space + 1, 4);
            }
        }

        throw new InvalidOperationException($"address 0x{target:x} is in no mapping of this process");
    }

    /// <summary>A clock that moves only when told to, for the report rate limit.</summary>
    public sealed class ManualClock : TimeProvider
    {
        private long _ticks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => Interlocked.Read(ref _ticks);

        public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
    }
}
