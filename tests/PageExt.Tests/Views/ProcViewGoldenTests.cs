using PageExt.Buddy;
using PageExt.Views;

namespace PageExt.Tests.Views;

/// <summary>
/// The views must print exactly what a kernel prints: a real Linux 6.18 /proc/pagetypeinfo and
/// /proc/buddyinfo are parsed back into snapshots and re-rendered byte for byte.
/// </summary>
public class ProcViewGoldenTests
{
    [Fact]
    public void Pagetypeinfo_of_a_real_6_18_kernel_renders_byte_for_byte()
    {
        string real = Samples.Read("linux-6.18-pagetypeinfo.txt");
        var snapshot = ParsePagetypeinfo(real);
        AssertSameText(real, PageTypeInfo.Render(snapshot));
    }

    [Fact]
    public void Buddyinfo_of_a_real_6_18_kernel_renders_byte_for_byte()
    {
        string real = Samples.Read("linux-6.18-buddyinfo.txt");
        var zones = real.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line =>
        {
            var head = line[..line.IndexOf(" zone ", StringComparison.Ordinal)];
            var rest = line[(head.Length + 6)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return new ZoneSnapshot(int.Parse(head[5..^1]), rest[0], [], [], null) { FreeBlocksPerOrder = rest[1..].Select(long.Parse).ToArray() };
        }).ToList();
        var snapshot = new MemorySnapshot(9, 11, [], zones);
        AssertSameText(real, BuddyInfo.Render(snapshot));
    }

    [Fact]
    public void Mixed_block_table_matches_the_seed_era_layout()
    {
        // Mel Gorman's 2007 table (3.19-era column set, trailing spaces lost in the mail).
        var snapshot = new MemorySnapshot(9, 11, ["Unmovable", "Reclaimable", "Movable", "Reserve"],
        [
            new ZoneSnapshot(0, "DMA", [[], [], [], []], [0, 0, 0, 0], [0, 1, 2, 1]),
            new ZoneSnapshot(0, "Normal", [[], [], [], []], [0, 0, 0, 0], [2, 11, 33, 0]),
        ]);
        string rendered = PageTypeInfo.Render(snapshot);
        string mixed = rendered[rendered.IndexOf("Number of mixed blocks", StringComparison.Ordinal)..];
        var expected = Samples.Read("2007-mm-mel-gorman-fallback-record-and-mixed-blocks.txt").Split('\n')[6..9];
        Assert.Equal(expected, mixed.Split('\n')[..3].Select(l => l.TrimEnd()).ToArray());
    }

    [Fact]
    public void Free_counts_at_the_kernel_cap_print_with_a_marker()
    {
        var snapshot = new MemorySnapshot(9, 1, ["Movable"],
            [new ZoneSnapshot(0, "Normal", [[123456]], [1], null)]);
        Assert.Contains("Node    0, zone   Normal, type      Movable >100000 \n", PageTypeInfo.Render(snapshot), StringComparison.Ordinal);
    }

    [Fact]
    public void A_booted_machine_prints_one_line_per_populated_zone_and_type()
    {
        using var m = TestMachines.Boot(memoryBytes: 5L << 30);
        var snapshot = MemorySnapshot.Capture(m, showCma: false);
        var buddy = BuddyInfo.Render(snapshot).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["DMA", "DMA32", "Normal"], buddy.Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[3]));
        var text = PageTypeInfo.Render(snapshot);
        Assert.Equal(3 * 5, text.Split('\n').Count(l => l.Contains(", type ", StringComparison.Ordinal)));
        Assert.DoesNotContain("mixed", text, StringComparison.Ordinal);
        // 1 GiB above 4 GiB is Normal: 512 pageblocks, all Movable after boot.
        Assert.Contains("Node 0, zone   Normal            0          512            0            0            0 \n", text, StringComparison.Ordinal);
        Assert.True(m.TryAllocPages(GfpFlags.Kernel, 0, out _));
    }

    internal static MemorySnapshot ParsePagetypeinfo(string text)
    {
        var lines = text.Split('\n');
        int order = int.Parse(lines[0]["Page block order: ".Length..]);
        var orders = lines[3]["Free pages count per migrate type at order".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
        int blocksHeader = Array.FindIndex(lines, l => l.StartsWith("Number of blocks type", StringComparison.Ordinal));
        var typeNames = lines[blocksHeader]["Number of blocks type".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var free = new Dictionary<(int, string), long[][]>();
        var order2 = new List<(int, string)>();
        for (int i = 4; i < blocksHeader - 1; i++)
        {
            var parts = lines[i].Split(',', 3);
            int node = int.Parse(parts[0]["Node".Length..]);
            string zone = parts[1].Trim()["zone".Length..].Trim();
            var rest = parts[2].Trim()["type".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (!free.TryGetValue((node, zone), out var perType))
            {
                perType = new long[typeNames.Length][];
                free[(node, zone)] = perType;
                order2.Add((node, zone));
            }

            perType[Array.IndexOf(typeNames, rest[0])] = rest[1..].Select(long.Parse).ToArray();
        }

        var zones = new List<ZoneSnapshot>();
        for (int i = blocksHeader + 1; i < lines.Length && lines[i].StartsWith("Node", StringComparison.Ordinal); i++)
        {
            var key = order2[zones.Count];
            var counts = lines[i].Split(' ', StringSplitOptions.RemoveEmptyEntries)[4..].Select(long.Parse).ToArray();
            zones.Add(new ZoneSnapshot(key.Item1, key.Item2, free[key], counts, null));
        }

        return new MemorySnapshot(order, orders, typeNames, zones);
    }

    internal static void AssertSameText(string expected, string actual)
    {
        var e = expected.Split('\n');
        var a = actual.Split('\n');
        for (int i = 0; i < Math.Min(e.Length, a.Length); i++)
        {
            Assert.True(e[i] == a[i], $"line {i + 1} differs:\nexpected: [{e[i]}]\nactual:   [{a[i]}]");
        }

        Assert.Equal(e.Length, a.Length);
    }
}
