using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using PageExt.Log;
using PageExt.Physical;

namespace PageExt.PageExtension;

/// <summary>
/// page_ext (mm/page_ext.c): extra per-page data for debugging features, kept outside the page
/// descriptor so that a machine which does not debug pays nothing for it.
/// <para>
/// Design: at boot every client is asked whether it needs space (invoke_need_callbacks). When none
/// does, no table is allocated at all and lookups return null. Otherwise each entry is the shared
/// flags word (if any needing client uses it) followed by the clients' areas at the offsets
/// assigned in client order, and every present section gets its own table of entries for its
/// 32768 pages, taken from the machine's own memory like alloc_pages_exact_nid() (falling back to
/// native memory as vzalloc does). A section stores a biased pointer, table base minus its first
/// PFN times the entry size, so <see cref="Lookup"/> is one load, one multiply-add, no branch on
/// the section's start and no allocation.
/// </para>
/// <para>
/// Lifecycle: boot (need, allocate, log "allocated N bytes of page_ext", init every client), then
/// memory hotplug: a section going online gets its table first, and a failure rolls back every
/// table allocated for that online; a section going offline has its pointer invalidated, then its
/// table freed.
/// </para>
/// <para>
/// Concurrency model: the allocator's hooks look entries up without locks; they only ever touch
/// pages that are being allocated or freed, and hotplug offlines a section only when all of its
/// pages are free and isolated, so no hook can hold an entry of a section being torn down. Walkers
/// that read entries of pages they do not own (dumps, views) hold <see cref="EnterReader"/>, which
/// offlining waits for before freeing a table: the role synchronize_rcu() plays in the kernel.
/// </para>
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001", Justification = "The machine owns the tables: its Dispose releases them once no thread can touch them.")]
public sealed unsafe class PageExtensions : IMemoryNotifier
{
    /// <summary>Low bit of a biased pointer: the section is being torn down (PAGE_EXT_INVALID).</summary>
    private const nint Invalid = 1;

    /// <summary>sizeof(struct page_ext): the shared flags word.</summary>
    public const int FlagsBytes = sizeof(ulong);

    private readonly PhysicalMemory _memory;
    private readonly KernelLog _log;
    private readonly IPageExtTableSource _source;
    private readonly PageExtClient[] _clients;
    private readonly PageExtTable[] _tables;
    private readonly ReaderWriterLockSlim _teardown = new(LockRecursionPolicy.SupportsRecursion);

    /// <summary>Per section number: biased table pointer, 0 when the section has no table.</summary>
    private readonly nint* _biased;
    private long _totalBytes;

    internal PageExtensions(PhysicalMemory memory, KernelLog log, IPageExtTableSource source, PageExtClient[] clients)
    {
        _memory = memory;
        _log = log;
        _source = source;
        _clients = clients;
        _tables = new PageExtTable[memory.SectionCount];
        _biased = (nint*)NativeMemory.AllocZeroed((nuint)memory.SectionCount, (nuint)sizeof(nint));
        EntryBytes = InvokeNeedCallbacks(clients, out bool needed, out bool sharedFlags);
        Enabled = needed;
        HasSharedFlags = sharedFlags;
    }

    /// <summary>True when some client needed space and tables exist.</summary>
    public bool Enabled { get; }

    /// <summary>Bytes per page: flags word (if used) plus every needing client's size.</summary>
    public int EntryBytes { get; }

    public bool HasSharedFlags { get; }

    /// <summary>Bytes of all tables now (the kernel's total_usage).</summary>
    public long TotalBytes => Interlocked.Read(ref _totalBytes);

    public IReadOnlyList<PageExtClient> Clients => _clients;

    /// <summary>The machine's log, for clients that print reports.</summary>
    internal KernelLog Log => _log;

    /// <summary>invoke_need_callbacks(): sizes and offsets, in client order.</summary>
    private static int InvokeNeedCallbacks(PageExtClient[] clients, out bool needed, out bool sharedFlags)
    {
        var needing = clients.Where(c => c.Need()).ToArray();
        needed = needing.Length > 0;
        sharedFlags = needing.Any(c => c.NeedsSharedFlags);
        int size = sharedFlags ? FlagsBytes : 0;
        foreach (var client in clients)
        {
            client.Offset = -1;
        }

        foreach (var client in needing)
        {
            client.Offset = size;
            size += client.SizeBytes;
        }

        return size;
    }

    /// <summary>page_ext_init()'s first half: a table for every online section, or none when no client needs one.</summary>
    internal void AllocateTables()
    {
        if (!Enabled || EntryBytes == 0)
        {
            _log.Print("page_ext: no client needs it; no page_ext memory allocated");
            return;
        }

        foreach (var section in _memory.PresentSections.Where(s => s.State == SectionState.Online).ToArray())
        {
            if (!TryInitSection(section))
            {
                throw new InsufficientMemoryException(
                    $"page ext allocation failure: {TableBytes} bytes for memory section {section.Number} (the kernel panics here)");
            }
        }

        _log.Print($"allocated {TotalBytes} bytes of page_ext");
    }

    /// <summary>invoke_init_callbacks(): every client's init, whether or not it got space (each checks its own state).</summary>
    internal void InvokeInitCallbacks()
    {
        foreach (var client in _clients)
        {
            client.Init(this);
        }
    }

    /// <summary>Bytes of one section's table.</summary>
    public long TableBytes => (long)EntryBytes * MemorySection.Pages;

    /// <summary>True when the section has a live table.</summary>
    internal bool HasTable(int section) => (uint)section < (uint)_memory.SectionCount && (_biased[section] & ~Invalid) != 0 && (_biased[section] & Invalid) == 0;

    /// <summary>
    /// lookup_page_ext(): the entry of a PFN, or null when page_ext is off or the PFN's section has
    /// no table. O(1), lock-free, allocation-free.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal byte* Lookup(ulong pfn)
    {
        if (pfn >= _memory.MaxPfn)
        {
            return null;
        }

        nint biased = Volatile.Read(ref _biased[pfn >> MemorySection.PagesShift]);
        if (biased == 0 || (biased & Invalid) != 0)
        {
            return null;
        }

        return (byte*)biased + (pfn * (ulong)EntryBytes);
    }

    /// <summary>The shared flags word of an entry (only when <see cref="HasSharedFlags"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ref ulong FlagsOf(byte* entry) => ref *(ulong*)entry;

    /// <summary>Hold off table teardown while reading entries of pages the caller does not own.</summary>
    internal ReaderScope EnterReader()
    {
        _teardown.EnterReadLock();
        return new ReaderScope(_teardown);
    }

    private bool TryInitSection(MemorySection section)
    {
        if (_biased[section.Number] != 0)
        {
            return true;
        }

        if (!_source.TryAllocate(section, TableBytes, out var table))
        {
            _log.Print("page ext allocation failure");
            return false;
        }

        _tables[section.Number] = table;
        Volatile.Write(ref _biased[section.Number], table.Address - (nint)(section.StartPfn.Value * (ulong)EntryBytes));
        Interlocked.Add(ref _totalBytes, table.Bytes);
        return true;
    }

    /// <summary>Invalidate, wait for readers, free (the three passes of offline_page_ext).</summary>
    private void FreeSections(IEnumerable<MemorySection> sections)
    {
        var live = sections.Where(s => _biased[s.Number] != 0).ToArray();
        foreach (var section in live)
        {
            Volatile.Write(ref _biased[section.Number], _biased[section.Number] | Invalid);
        }

        _teardown.EnterWriteLock();
        _teardown.ExitWriteLock();
        foreach (var section in live)
        {
            var table = _tables[section.Number];
            _tables[section.Number] = default;
            Volatile.Write(ref _biased[section.Number], 0);
            _source.Free(table);
            Interlocked.Add(ref _totalBytes, -table.Bytes);
        }
    }

    /// <summary>MEM_GOING_ONLINE: tables for every section, or none at all.</summary>
    bool IMemoryNotifier.GoingOnline(IReadOnlyList<MemorySection> sections, out string? error)
    {
        error = null;
        if (!Enabled || EntryBytes == 0)
        {
            return true;
        }

        var added = new List<MemorySection>();
        foreach (var section in sections)
        {
            bool had = _biased[section.Number] != 0;
            if (!TryInitSection(section))
            {
                FreeSections(added);
                error = $"page ext allocation failure for memory section {section.Number}; the online of sections {sections[0].Number}..{sections[^1].Number} was rolled back";
                return false;
            }

            if (!had)
            {
                added.Add(section);
            }
        }

        return true;
    }

    /// <summary>MEM_OFFLINE / MEM_CANCEL_ONLINE.</summary>
    void IMemoryNotifier.Offline(IReadOnlyList<MemorySection> sections)
    {
        if (Enabled)
        {
            FreeSections(sections);
        }
    }

    /// <summary>Free the native tables; the machine's dispose calls it once no thread can touch them.</summary>
    internal void Release()
    {
        // The machine's arena goes away with the machine; only native tables need freeing here.
        for (int s = 0; s < _tables.Length; s++)
        {
            if (_tables[s].Address != 0 && !_tables[s].FromBuddy)
            {
                NativeMemory.Free((void*)_tables[s].Address);
            }

            _tables[s] = default;
        }

        NativeMemory.Free(_biased);
        _teardown.Dispose();
    }

    /// <summary>A held reader section; dispose to leave it.</summary>
    internal readonly struct ReaderScope(ReaderWriterLockSlim rwLock) : IDisposable
    {
        public void Dispose() => rwLock.ExitReadLock();
    }
}
