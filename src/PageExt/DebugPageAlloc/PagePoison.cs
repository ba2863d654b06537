using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Text;
using PageExt.Buddy;
using PageExt.Log;
using PageExt.PageExtension;
using PageExt.Physical;

namespace PageExt.DebugPageAlloc;

/// <summary>
/// Page poisoning (mm/page_poison.c with the seed's page_ext bit): fill freed pages with
/// <see cref="PoisonByte"/> and set PAGE_EXT_DEBUG_POISON; when a flagged page is allocated again,
/// clear the bit and check that every byte still holds the pattern. Only flagged pages are
/// checked, as in the seed: memory that reached the buddy without a free (boot, hotplug) was never
/// poisoned.
/// <para>
/// Used by page_poison=1 on every free, and by debug_pagealloc's quarantine for ranges it stops
/// protecting (the fallback), so both share one checker, one rate limit and one counter.
/// </para>
/// <para>
/// Concurrency model: callers own the pages they pass (being freed, being allocated, or a range the
/// quarantine still holds under its lock), so fills, checks and flag updates need no lock. Reports
/// go through the rate limit's lock and the log's lock.
/// </para>
/// </summary>
internal sealed unsafe class PagePoison
{
    /// <summary>PAGE_POISON (include/linux/poison.h).</summary>
    public const byte PoisonByte = 0xaa;

    private const string DumpReason = "pagealloc: corrupted page details";

    private readonly DebugPageAllocFeature _feature;
    private readonly PageExtensions _pageExt;
    private readonly PageAllocator _allocator;
    private readonly PhysicalMemory _memory;
    private readonly KernelLog _log;

    /// <summary>check_poison_mem's DEFINE_RATELIMIT_STATE(ratelimit, 5 * HZ, 10).</summary>
    private readonly RateLimit _rateLimit;

    public PagePoison(DebugPageAllocFeature feature, PageExtensions pageExt, PageAllocator allocator, KernelLog log, TimeProvider clock)
    {
        _feature = feature;
        _pageExt = pageExt;
        _allocator = allocator;
        _memory = allocator.Memory;
        _log = log;
        _rateLimit = new RateLimit(clock, TimeSpan.FromSeconds(5), 10, "check_poison_mem");
    }

    /// <summary>__kernel_poison_pages(): fill the block and flag each of its pages.</summary>
    public void PoisonPages(uint pfn, int order)
    {
        new Span<byte>((void*)_memory.PageAddress(pfn), PageSize.Bytes << order).Fill(PoisonByte);
        uint end = pfn + (1u << order);
        for (uint p = pfn; p < end; p++)
        {
            byte* entry = _pageExt.Lookup(p);
            if (entry != null)
            {
                PageExtensions.FlagsOf(entry) |= (ulong)PageExtFlags.DebugPoison;
            }
        }
    }

    /// <summary>__kernel_unpoison_pages(): check and unflag every flagged page of the block.</summary>
    public void CheckPages(uint pfn, int order)
    {
        uint end = pfn + (1u << order);
        for (uint p = pfn; p < end; p++)
        {
            byte* entry = _pageExt.Lookup(p);
            if (entry == null)
            {
                continue;
            }

            ref ulong flags = ref PageExtensions.FlagsOf(entry);
            if ((flags & (ulong)PageExtFlags.DebugPoison) == 0)
            {
                continue;
            }

            flags &= ~(ulong)PageExtFlags.DebugPoison;
            CheckPoisonMem(p);
        }
    }

    /// <summary>True when the page carries PAGE_EXT_DEBUG_POISON.</summary>
    public bool IsPoisoned(uint pfn)
    {
        byte* entry = _pageExt.Lookup(pfn);
        return entry != null && (PageExtensions.FlagsOf(entry) & (ulong)PageExtFlags.DebugPoison) != 0;
    }

    /// <summary>check_poison_mem(): memchr_inv forward for the first bad byte, backward for the last (both vectorised).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void CheckPoisonMem(uint pfn)
    {
        var bytes = new ReadOnlySpan<byte>((void*)_memory.PageAddress(pfn), PageSize.Bytes);
        int first = bytes.IndexOfAnyExcept(PoisonByte);
        if (first >= 0)
        {
            ReportCorruption(pfn, bytes, first, bytes.LastIndexOfAnyExcept(PoisonByte));
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ReportCorruption(uint pfn, ReadOnlySpan<byte> bytes, int first, int last)
    {
        bool singleBit = first == last && BitOperations.PopCount((uint)(bytes[first] ^ PoisonByte)) == 1;
        var p = new Pfn(pfn);
        var text = new StringBuilder();
        text.Append(singleBit ? "pagealloc: single bit error\n" : "pagealloc: memory corruption\n");
        using (var writer = new StringWriter(text, System.Globalization.CultureInfo.InvariantCulture))
        {
            Formatting.HexDump.Print(writer, bytes[first..(last + 1)], (ulong)_memory.PageAddress(pfn) + (ulong)first);
        }

        // Beyond the kernel, which leaves the PFN to dump_page and the offsets to the reader's
        // arithmetic on hashed addresses.
        text.Append("pagealloc: pfn ").Append(p.ToString()).Append(": ")
            .Append((last - first + 1).ToString(CultureInfo.InvariantCulture))
            .Append(" bytes from offset 0x").Append(first.ToString("x", CultureInfo.InvariantCulture))
            .Append(" to 0x").Append(last.ToString("x", CultureInfo.InvariantCulture))
            .Append(" no longer hold the poison 0xaa\n");
        PageDump.AppendStack(text, skipFrames: 1);
        PageDump.AppendPage(text, _allocator, p, DumpReason);
        _feature.PageDetails?.AppendPageDetails(p, text);
        string report = text.ToString().TrimEnd('\n');

        bool print = _rateLimit.TryAcquire(out string? suppressed);
        if (suppressed is not null)
        {
            _log.Print(suppressed);
        }

        if (print)
        {
            _log.Print(report);
        }

        _feature.OnCorruption(new PageCorruptionReport(p, first, last, singleBit, print, report));
    }
}
