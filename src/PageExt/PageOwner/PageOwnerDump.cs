using System.Globalization;
using System.Text;
using PageExt.Buddy;
using PageExt.Formatting;
using PageExt.PageExtension;
using PageExt.Pages;
using PageExt.Physical;
using PageExt.Stacks;
using PageExt.Zones;

namespace PageExt.PageOwner;

/// <summary>
/// /sys/kernel/debug/page_owner (read_page_owner): one record per allocated block, walked by PFN.
/// Streams: it holds one record's text at a time, so dumping a machine of any size runs in
/// bounded memory. Free blocks, per-CPU pages, guard pages, freed pages, tail pages and pages
/// without a handle produce nothing, exactly as in the kernel's walk.
/// <para>
/// Concurrency: takes no allocator lock (the kernel takes none either), so a dump of a busy
/// machine may show a block half-way through an allocation or a free; it holds page_ext's reader
/// section so no table is freed under it.
/// </para>
/// </summary>
public static unsafe class PageOwnerDump
{
    /// <summary>3.19 numbering of migrate types (Unmovable, Reclaimable, Movable, Reserve, CMA, Isolate).</summary>
    private static readonly int[] s_seedTypeNumbers = [0, 2, 1, 3, 4, 5];

    /// <summary>Write every record from <paramref name="startPfn"/> (lseek to a PFN) on. Returns the records written.</summary>
    public static long Write(TextWriter output, PageOwner owner, DumpFormat format = DumpFormat.Modern, ulong startPfn = 0)
    {
        ArgumentNullException.ThrowIfNull(owner);
        var allocator = owner.Allocator;
        using var operation = allocator.EnterOperation();
        var memory = allocator.Memory;
        var depot = owner.Depot!;
        var pageExt = owner.PageExt;
        var text = new StringBuilder(1024);
        var cache = new RenderCache(depot, format);
        long records = 0;
        using var reader = pageExt.EnterReader();
        for (var walk = allocator.WalkPfns(startPfn, memory.MaxPfn); walk.MoveNext();)
        {
            if (walk.IsFree)
            {
                continue;
            }

            ulong pfn = walk.Pfn;
            var entry = owner.EntryOf(pfn, out ulong* flags);
            if (entry == null)
            {
                continue;
            }

            ulong extFlags = *flags;
            if ((extFlags & (ulong)PageExtFlags.Owner) == 0 || (extFlags & (ulong)PageExtFlags.OwnerAllocated) == 0)
            {
                continue;
            }

            var snapshot = *entry;
            if ((pfn & ((1UL << snapshot.Order) - 1)) != 0 || snapshot.Handle == 0)
            {
                continue;
            }

            text.Clear();
            if (format == DumpFormat.Modern)
            {
                AppendModern(text, pfn, walk.Flags, snapshot, allocator, cache);
            }
            else
            {
                AppendSeed(text, pfn, walk.Flags, snapshot, allocator);
            }

            text.Append(cache.Stack(snapshot.Handle)).Append('\n');
            output.Write(text);
            records++;
        }

        return records;
    }

    /// <summary>The modern record's two header lines.</summary>
    private static void AppendModern(StringBuilder text, ulong pfn, ulong pageFlags, in PageOwnerEntry entry, PageAllocator allocator, RenderCache cache)
    {
        var gfp = (GfpFlags)entry.GfpMask;
        var blockType = allocator.PageblockMigrateType(new Pfn(pfn));
        text.Append("Page allocated via order ").Append(entry.Order)
            .Append(", mask ").Append(cache.Gfp(entry.GfpMask))
            .Append(", pid ").Append(entry.Pid)
            .Append(", tgid ").Append(entry.Tgid)
            .Append(" (").Append(cache.Comm(entry.Comm)).Append(')')
            .Append(", ts ").Append(entry.TsNsec).Append(" ns\n");
        text.Append("PFN 0x").Append(pfn.ToString("x", CultureInfo.InvariantCulture))
            .Append(" type ").Append(MigrateTypes.Name(gfp.MigrateType()))
            .Append(" Block ").Append(pfn >> Pageblock.Order)
            .Append(" type ").Append(MigrateTypes.Name(blockType))
            .Append(" Flags ").Append(cache.Flags(pageFlags)).Append('\n');
    }

    /// <summary>The 2014 record's two header lines (3.19 bit layout and type numbers).</summary>
    private static void AppendSeed(StringBuilder text, ulong pfn, ulong pageFlags, in PageOwnerEntry entry, PageAllocator allocator)
    {
        var gfp = (GfpFlags)entry.GfpMask;
        var blockType = allocator.PageblockMigrateType(new Pfn(pfn));
        bool fallback = blockType != gfp.MigrateType();
        text.Append("Page allocated via order ").Append(entry.Order)
            .Append(", mask 0x").Append(SeedGfp.FromModern(gfp).ToString("x", CultureInfo.InvariantCulture)).Append('\n');
        text.Append("PFN ").Append(pfn)
            .Append(" Block ").Append(pfn >> Pageblock.Order)
            .Append(" type ").Append(s_seedTypeNumbers[(int)blockType])
            .Append(' ').Append(fallback ? "Fallback" : "        ")
            .Append(" Flags ").Append(SeedFlagColumns.Format(SeedFlagColumns.FromPageFlags((PageFlags)(pageFlags & PageFlagsLayout.FlagsMask))))
            .Append('\n');
    }

    /// <summary>
    /// Text already rendered during one dump: a machine has few distinct stacks, masks, flag words
    /// and task names, so each is formatted once. Grows with the distinct values, never with the
    /// number of records.
    /// </summary>
    private sealed class RenderCache(StackDepot depot, DumpFormat format)
    {
        private readonly Dictionary<uint, string> _stacks = [];
        private readonly Dictionary<uint, string> _gfp = [];
        private readonly Dictionary<ulong, string> _flags = [];
        private readonly Dictionary<(ulong, ulong), string> _comms = [];

        public string Stack(uint handle)
        {
            if (!_stacks.TryGetValue(handle, out var text))
            {
                using var writer = new StringWriter(CultureInfo.InvariantCulture);
                if (format == DumpFormat.Modern)
                {
                    depot.Print(writer, new StackHandle(handle));
                }
                else
                {
                    PrintSeedFrames(writer, depot, new StackHandle(handle));
                }

                text = writer.ToString();
                _stacks[handle] = text;
            }

            return text;
        }

        public string Gfp(uint mask)
        {
            if (!_gfp.TryGetValue(mask, out var text))
            {
                text = GfpFlagNames.FormatWithValue((GfpFlags)mask);
                _gfp[mask] = text;
            }

            return text;
        }

        public string Flags(ulong word)
        {
            if (!_flags.TryGetValue(word, out var text))
            {
                text = PageFlagNames.Format(word);
                _flags[word] = text;
            }

            return text;
        }

        public string Comm(in Tasks.CommBytes comm)
        {
            var key = comm.Words;
            if (!_comms.TryGetValue(key, out var text))
            {
                text = comm.ToString();
                _comms[key] = text;
            }

            return text;
        }
    }

    /// <summary>
    /// snprint_stack_trace() of 3.19: " [&lt;address&gt;] symbol", at most 8 entries, ULONG_MAX-terminated
    /// when shorter (x86's save_stack_trace appends the terminator whenever there is room). A named
    /// frame's address is its <see cref="ResolvedFrame.Address"/> (the depot keys a stack by method
    /// and IL offset, not by return address); a stack without names prints its stored words.
    /// <para>
    /// 3.19 had no stack depot and so no sentinel handles: each page_ext held its own trace, and a
    /// trace could always be saved. A sentinel (early, dummy, failure) stands for a page whose stack
    /// was not captured, so it prints as a saved trace with no frame would: the terminator alone.
    /// Its marker words are not code addresses and never print.
    /// </para>
    /// </summary>
    private static void PrintSeedFrames(TextWriter output, StackDepot depot, StackHandle handle)
    {
        const int seedDepth = 8;
        bool sentinel = depot.IsSentinel(handle);
        var symbols = depot.GetSymbols(handle);
        var addresses = sentinel ? [] : depot.Fetch(handle);
        int count = sentinel ? 0 : Math.Min(symbols?.Frames.Count ?? addresses.Length, seedDepth);
        for (int i = 0; i < count; i++)
        {
            string symbol;
            ulong address;
            if (symbols is not null)
            {
                symbol = symbols.Frames[i].ToString();
                address = symbols.Frames[i].Address;
            }
            else
            {
                address = addresses[i];
                symbol = "0x" + address.ToString("x", CultureInfo.InvariantCulture);
            }

            output.Write($" [<{address:x16}>] {symbol}\n");
        }

        if (count < seedDepth)
        {
            output.Write(" [<ffffffffffffffff>] 0xffffffffffffffff\n");
        }
    }
}
