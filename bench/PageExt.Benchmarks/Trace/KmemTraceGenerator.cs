using System.Globalization;
using System.Text;
using PageExt.Analysis.Trace;

namespace PageExt.Benchmarks.Trace;

/// <summary>
/// A deterministic imitation of a busy kernel's kmem page events in ftrace's text format (the
/// layout of <see cref="KmemEventLayout"/>, so the reader and this writer cannot disagree): tasks on
/// four CPUs allocating and freeing blocks of mostly order 0 with some THP-sized ones, per-CPU list
/// traffic (zone_locked, pcpu_drain, free_batched), rare fallbacks, and optionally a &lt;stack
/// trace&gt; after every event. The held set stays under <see cref="MaxHeldBlocks"/>, so a replay's
/// memory does not grow with the size of the trace. The same seed gives the same bytes.
/// </summary>
public sealed class KmemTraceGenerator
{
    public const int MaxHeldBlocks = 200_000;

    private static readonly string[] s_comms = ["kworker/u8:3", "postgres", "java", "CPU 0/KVM", "systemd-journal", "kswapd0", "<...>", "nginx", "chrome", "rcu_sched"];
    private static readonly string[] s_gfps = ["GFP_HIGHUSER_MOVABLE|__GFP_ZERO", "GFP_KERNEL", "GFP_KERNEL_ACCOUNT|__GFP_ZERO", "GFP_NOWAIT|__GFP_NOWARN", "GFP_TRANSHUGE|__GFP_THISNODE", "GFP_KERNEL|__GFP_COMP|__GFP_RECLAIMABLE"];

    /// <summary>First pfn and number of blocks of the range of orders 0, 1, 2, 3 and 9.</summary>
    private static readonly (ulong First, int Count)[] s_regions =
    [
        (0x100000, 0x400000), (0x500000, 0x80000), (0x600000, 0x20000), (0x680000, 0x10000), (0x800000, 0x4000),
    ];

    private readonly Random _random;
    private readonly bool _stacks;
    private readonly List<(ulong Pfn, int Order)> _held = [];
    private readonly HashSet<ulong> _usedPfns = [];
    private readonly string[][] _stackPool;
    private long _now = 1_000_000_000;

    public KmemTraceGenerator(int seed, bool stacks)
    {
        _random = new Random(seed);
        _stacks = stacks;
        _stackPool = Enumerable.Range(0, 300).Select(s => Enumerable.Range(0, 8 + (s % 9))
            .Select(f => string.Create(CultureInfo.InvariantCulture, $"caller_{s}_{f}+0x{(s * 31) + f:x}/0x{200 + f:x}"))
            .Prepend("__alloc_pages_noprof+0x16e/0x330").ToArray()).ToArray();
    }

    /// <summary>The ftrace header, written once at the start.</summary>
    public static string Header()
    {
        var text = new StringBuilder();
        KmemEventLayout.AppendHeader(text, 1, 1, 4);
        return text.ToString();
    }

    /// <summary>Appends events until <paramref name="text"/> holds at least <paramref name="bytes"/> characters.</summary>
    public void Append(StringBuilder text, long bytes)
    {
        while (text.Length < bytes)
        {
            AppendOne(text);
        }
    }

    /// <summary>Writes about <paramref name="bytes"/> bytes of trace (header included) to <paramref name="output"/>.</summary>
    public void Write(Stream output, long bytes)
    {
        var text = new StringBuilder(1 << 22);
        text.Append(Header());
        long written = 0;
        var encoding = new UTF8Encoding(false);
        while (written < bytes)
        {
            Append(text, 1 << 22);
            var chunk = encoding.GetBytes(text.ToString());
            output.Write(chunk);
            written += chunk.Length;
            text.Clear();
        }
    }

    private void AppendOne(StringBuilder text)
    {
        int cpu = _random.Next(4);
        int task = _random.Next(s_comms.Length);
        int pid = 100 + (task * 37) + _random.Next(3);

        // Each CPU's local clock runs a little apart, as in a merged `trace` file.
        _now += _random.Next(200, 2_000);
        long ts = _now + (cpu * 700) - _random.Next(500);
        int dice = _random.Next(100);
        bool free = _held.Count > 0 && (_held.Count >= MaxHeldBlocks || dice < 44);
        if (free)
        {
            int index = _random.Next(_held.Count);
            var (pfn, order) = _held[index];
            _held[index] = _held[^1];
            _held.RemoveAt(_held.Count - 1);
            _usedPfns.Remove(pfn);
            KmemEventLayout.AppendContext(text, s_comms[task], pid, cpu, ".....", ts);
            if (order == 0 && dice % 3 == 0)
            {
                KmemEventLayout.AppendFreeBatched(text, pfn);
            }
            else
            {
                KmemEventLayout.AppendFree(text, pfn, order);
            }

            AppendStack(text, task, pid, cpu, ts, free: true);
            return;
        }

        if (dice >= 95)
        {
            // Per-CPU list traffic and fallbacks: no owner changes, but they must be read.
            KmemEventLayout.AppendContext(text, s_comms[task], pid, cpu, ".....", ts);
            ulong pfn = (ulong)_random.Next(0x100000, 0x800000);
            switch (dice)
            {
                case 95 or 96:
                    KmemEventLayout.AppendAllocZoneLocked(text, pfn, 0, 1, percpuRefill: true);
                    break;
                case 97 or 98:
                    KmemEventLayout.AppendPcpuDrain(text, pfn, 0, 1);
                    break;
                default:
                    KmemEventLayout.AppendExtfrag(text, pfn, 0, _random.Next(10), 9, 0, 1, _random.Next(2) == 0);
                    break;
            }

            return;
        }

        int newOrder = dice switch
        {
            < 70 => 0,
            < 80 => 1,
            < 88 => 2,
            < 93 => 3,
            _ => 9,
        };
        // Each order has its own pfn range, so blocks never nest: the trace is of a consistent allocator.
        var (first, count) = s_regions[newOrder == 9 ? 4 : newOrder];
        ulong head;
        do
        {
            head = first + ((ulong)_random.Next(count) << newOrder);
        }
        while (!_usedPfns.Add(head));

        _held.Add((head, newOrder));
        KmemEventLayout.AppendContext(text, s_comms[task], pid, cpu, ".....", ts);
        KmemEventLayout.AppendAlloc(text, head, newOrder, newOrder == 9 ? 1 : task % 3, s_gfps[newOrder == 9 ? 4 : task % s_gfps.Length]);
        AppendStack(text, task, pid, cpu, ts, free: false);
    }

    private void AppendStack(StringBuilder text, int task, int pid, int cpu, long ts, bool free)
    {
        if (!_stacks)
        {
            return;
        }

        KmemEventLayout.AppendContext(text, s_comms[task], pid, cpu, ".....", ts + 1);
        var frames = _stackPool[((task * 29) + _random.Next(30) + (free ? 150 : 0)) % _stackPool.Length];
        KmemEventLayout.AppendStack(text, frames);
    }
}
