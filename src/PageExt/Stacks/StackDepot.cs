using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using PageExt.Boot;
using PageExt.Errors;
using PageExt.Platform;

namespace PageExt.Stacks;

/// <summary>
/// Deduplicated storage of call stacks with 32-bit handles: lib/stackdepot.c for the model.
/// <para>
/// Problem: page_owner records who allocated every page. Storing 16 frames per page would cost
/// 128 bytes a page; most pages share a few thousand distinct stacks. The depot stores each
/// distinct frame sequence once and hands out a <see cref="StackHandle"/> that per-page metadata
/// keeps instead (4 bytes).
/// </para>
/// <para>
/// Design: records are carved consecutively, 16-byte aligned, from 16 KiB pools allocated on
/// demand up to a fixed number (<c>stack_depot_max_pools</c>); a handle is (pool, offset). A fixed,
/// power-of-two array of bucket heads indexes them by hash; each record links to the next record
/// of its bucket. Pools are pinned arrays owned by the depot, so a record's memory lives exactly as
/// long as the depot (no dispose, no use-after-free for late readers). Records are never removed
/// or moved: handles stay valid for the depot's life. Each record also carries an atomic counter
/// that page_owner uses for live pages (the kernel reuses the persistent record's refcount), the
/// names captured when the stack was first stored. A record can also be an alias (<see cref="SaveAlias"/>):
/// another key for a stack stored under its canonical key, so that a fast raw key (return addresses,
/// which tiered compilation changes) finds the one canonical handle of its call path.
/// </para>
/// <para>
/// Lifecycle: construct once per machine at boot (page_owner sizes it from stack_depot_max_pools= and stack_depot_disable=); three
/// sentinel stacks (dummy, failure, early) are stored first, as page_owner's init does.
/// </para>
/// <para>
/// Concurrency model: any number of threads may save, look up and fetch at once. Lookups walk a
/// bucket without locks and allocate nothing: a bucket head is published with a release write only
/// after the record (and its pool and names) is fully written, and readers load it with an acquire
/// read, so a reader sees either the old chain or a complete new record (the kernel uses RCU for
/// the same effect). Inserts take one lock and search the bucket again under it, so two threads
/// racing to store the same new stack get the same handle. Counters are updated with interlocked
/// operations on the record. Nothing is ever freed, so no reader can see memory being reused.
/// </para>
/// </summary>
public sealed unsafe class StackDepot
{
    /// <summary>CONFIG_STACKDEPOT_MAX_FRAMES: longer stacks are truncated to their innermost 64 frames.</summary>
    public const int MaxFrames = 64;

    /// <summary>DEPOT_POOL_SIZE: 4 pages (order 2).</summary>
    public const int PoolSizeBytes = 16 * 1024;

    public const int DefaultBucketCount = 1 << 14;

    /// <summary>Sentinel used when page_owner is re-entered on the same thread (the kernel's dummy_handle).</summary>
    public const string DummySentinelName = "dummy_stack";

    /// <summary>Sentinel used when the depot cannot store a stack (failure_handle).</summary>
    public const string FailureSentinelName = "failure_stack";

    /// <summary>Sentinel for pages found allocated when page_owner started (early_handle).</summary>
    public const string EarlySentinelName = "early_stack";

    /// <summary>The log line printed once when the last pool is full.</summary>
    public const string LimitReachedMessage = "Stack depot reached limit capacity";

    // Record layout in pool memory (all little-endian, 16-byte aligned start):
    //   +0  uint   next      handle of the next record in the same bucket, 0 = end of chain
    //   +4  uint   hash
    //   +8  ushort size      frame count, 1..MaxFrames
    //   +10 ushort flags     RecordFlagSentinel
    //   +12 int    count     page_owner's live-page counter (atomic)
    //   +16 int    ordinal   insertion number: index into _symbols
    //   +20 uint   self      this record's handle (without extra bits), validates handles
    //   +24 uint   target    the handle lookups return: this record's own, or for an alias its canonical record's
    //   +28 uint   reserved
    //   +32 nuint  frames[size]
    private const int HeaderBytes = 32;
    private const int SymbolChunkShift = 10;
    private const int SymbolChunkSize = 1 << SymbolChunkShift;
    private const ushort RecordFlagSentinel = 1;
    private const ushort RecordFlagAlias = 2;
    private const uint HandleMask = (1u << (StackHandle.PoolIndexBits + StackHandle.OffsetBits)) - 1;
    private static readonly nuint SentinelTag = unchecked((nuint)0x53454E54494E454CUL); // "SENTINEL" (truncated on 32-bit), never a code address

    private readonly uint[] _buckets;
    private readonly uint _bucketMask;
    private readonly int _maxPools;
    private readonly bool _disabled;

    // Pools: _pools[i] keeps pool i alive (pinned); _poolBases[i] is its address. Both written
    // under _lock before any record in the pool is published.
    private readonly byte[]?[] _pools;
    private readonly nint[] _poolBases;
    private readonly int[] _poolUsedBytes;

    // Names per record ordinal, in chunks of 1024 allocated on demand under _lock.
    private readonly ResolvedStack?[]?[] _symbols;

    private readonly Lock _lock = new();
    private readonly StripedCounter _hits = new();
    private int _poolCount;
    private int _recordCount;
    private long _bytes;
    private long _misses;
    private long _failures;
    private bool _limitReached;

    /// <param name="maxPools">Capacity in 16 KiB pools, 1..<see cref="StackHandle.MaxPoolCount"/>.</param>
    /// <param name="bucketCount">Hash buckets, a power of two (the kernel sizes it from RAM, 4096..1M).</param>
    /// <param name="disabled"><c>stack_depot_disable</c>: every save fails and returns <see cref="StackHandle.Invalid"/>.</param>
    public StackDepot(int maxPools = BootParameterTable.DefaultStackDepotMaxPools, int bucketCount = DefaultBucketCount, bool disabled = false)
    {
        if (maxPools < 1 || maxPools > StackHandle.MaxPoolCount)
        {
            ThrowHelper.ThrowArgumentOutOfRange(nameof(maxPools), $"maxPools must be 1..{StackHandle.MaxPoolCount}");
        }

        if (bucketCount < 1 || !int.IsPow2(bucketCount))
        {
            ThrowHelper.ThrowArgumentOutOfRange(nameof(bucketCount), "bucketCount must be a positive power of two");
        }

        _maxPools = maxPools;
        _disabled = disabled;
        _buckets = new uint[bucketCount];
        _bucketMask = (uint)bucketCount - 1;
        _pools = new byte[maxPools][];
        _poolBases = new nint[maxPools];
        _poolUsedBytes = new int[maxPools];
        long maxRecords = (long)maxPools * (PoolSizeBytes / (HeaderBytes + 16));
        _symbols = new ResolvedStack[(int)((maxRecords + SymbolChunkSize - 1) >> SymbolChunkShift)][];

        DummyHandle = GetOrCreateSentinel(DummySentinelName);
        FailureHandle = GetOrCreateSentinel(FailureSentinelName);
        EarlyHandle = GetOrCreateSentinel(EarlySentinelName);
    }

    /// <summary>Returned by <see cref="StackSaver"/> when it is re-entered on one thread.</summary>
    public StackHandle DummyHandle { get; }

    /// <summary>Returned by <see cref="StackSaver"/> when the depot cannot store a stack.</summary>
    public StackHandle FailureHandle { get; }

    /// <summary>For pages found already allocated when page_owner starts.</summary>
    public StackHandle EarlyHandle { get; }

    public bool IsDisabled => _disabled;

    public int MaxPools => _maxPools;

    /// <summary>
    /// stack_depot_save(): the handle of <paramref name="frames"/>, storing it if it is new.
    /// A key stored with <see cref="SaveAlias"/> gives its canonical record's handle.
    /// Identical sequences give the same handle. Returns <see cref="StackHandle.Invalid"/> for an
    /// empty sequence, or when the depot is full or disabled (counted in <see cref="GetStats"/>).
    /// A hit takes no lock and allocates nothing.
    /// </summary>
    public StackHandle Save(ReadOnlySpan<nuint> frames) => Save(frames, null);

    /// <summary>
    /// As <see cref="Save(ReadOnlySpan{nuint})"/>, and if the stack is new, keep
    /// <paramref name="symbols"/> as its names (ignored on a hit: the first saver's names stay).
    /// </summary>
    public StackHandle Save(ReadOnlySpan<nuint> frames, ResolvedStack? symbols)
    {
        if (frames.Length > MaxFrames)
        {
            frames = frames[..MaxFrames];
        }

        if (frames.IsEmpty)
        {
            return StackHandle.Invalid;
        }

        uint hash = Hash(frames);
        uint found = Find(frames, hash);
        if (found != 0)
        {
            _hits.Increment();
            return new StackHandle(found);
        }

        return SaveSlow(frames, hash, symbols, 0, 0);
    }

    /// <summary>
    /// Stores <paramref name="frames"/> as another key of <paramref name="canonical"/>: from now on
    /// <see cref="TryGet"/> and <see cref="Save(ReadOnlySpan{nuint})"/> of these frames return
    /// <paramref name="canonical"/>. An alias is not a stack of its own: <see cref="GetHandles"/>
    /// skips it. If the key is already stored, nothing changes and its handle is returned.
    /// Returns <see cref="StackHandle.Invalid"/> when the depot is full or disabled.
    /// </summary>
    public StackHandle SaveAlias(ReadOnlySpan<nuint> frames, StackHandle canonical)
    {
        var target = Header(canonical);
        if ((target->Flags & RecordFlagAlias) != 0)
        {
            ThrowHelper.ThrowArgument(nameof(canonical), $"{canonical.Value} is an alias, not a canonical stack");
        }

        if (frames.Length > MaxFrames)
        {
            frames = frames[..MaxFrames];
        }

        if (frames.IsEmpty)
        {
            return StackHandle.Invalid;
        }

        uint hash = Hash(frames);
        uint found = Find(frames, hash);
        return found != 0 ? new StackHandle(found) : SaveSlow(frames, hash, null, RecordFlagAlias, target->Self);
    }

    /// <summary>Looks a stack up without storing it. Lock-free and allocation-free.</summary>
    public bool TryGet(ReadOnlySpan<nuint> frames, out StackHandle handle)
    {
        if (frames.Length > MaxFrames)
        {
            frames = frames[..MaxFrames];
        }

        uint found = frames.IsEmpty ? 0 : Find(frames, Hash(frames));
        handle = new StackHandle(found);
        if (found == 0)
        {
            return false;
        }

        _hits.Increment();
        return true;
    }

    /// <summary>
    /// A named stack stored as an ordinary record, for page_owner's dummy/failure/early handles.
    /// The same name always gives the same handle; its one resolved frame is the name.
    /// Names are 1..252 characters on 64-bit.
    /// </summary>
    public StackHandle GetOrCreateSentinel(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        int charsPerWord = sizeof(nuint) / sizeof(char);
        int words = (name.Length + charsPerWord - 1) / charsPerWord;
        if (name.Length == 0 || 1 + words > MaxFrames)
        {
            ThrowHelper.ThrowArgument(nameof(name), $"a sentinel name is 1..{(MaxFrames - 1) * charsPerWord} characters");
        }

        // The frames spell the name (UTF-16 units packed into words) behind a tag no code address equals.
        Span<nuint> frames = stackalloc nuint[1 + words];
        frames.Clear();
        frames[0] = SentinelTag;
        for (int i = 0; i < name.Length; i++)
        {
            frames[1 + (i / charsPerWord)] |= (nuint)name[i] << (16 * (i % charsPerWord));
        }

        uint hash = Hash(frames);
        uint found = Find(frames, hash);
        return found != 0
            ? new StackHandle(found)
            : SaveSlow(frames, hash, new ResolvedStack([new ResolvedFrame(name, 0, 0, 0)]), RecordFlagSentinel, 0);
    }

    public bool IsSentinel(StackHandle handle) => (Header(handle)->Flags & RecordFlagSentinel) != 0;

    /// <summary>stack_depot_fetch(): copies the frames into <paramref name="destination"/>; returns the frame count.</summary>
    public int Fetch(StackHandle handle, Span<nuint> destination)
    {
        var header = Header(handle);
        var frames = new ReadOnlySpan<nuint>((byte*)header + HeaderBytes, header->Size);
        if (destination.Length < frames.Length)
        {
            ThrowHelper.ThrowArgument(nameof(destination), $"destination holds {destination.Length} frames; the stack has {frames.Length}");
        }

        frames.CopyTo(destination);
        return frames.Length;
    }

    /// <summary>stack_depot_fetch() into a new array.</summary>
    public nuint[] Fetch(StackHandle handle)
    {
        var header = Header(handle);
        return new ReadOnlySpan<nuint>((byte*)header + HeaderBytes, header->Size).ToArray();
    }

    public int GetFrameCount(StackHandle handle) => Header(handle)->Size;

    /// <summary>The names captured when the stack was first stored; null if the saver gave none.</summary>
    public ResolvedStack? GetSymbols(StackHandle handle)
    {
        int ordinal = Header(handle)->Ordinal;
        return Volatile.Read(ref _symbols[ordinal >> SymbolChunkShift])?[ordinal & (SymbolChunkSize - 1)];
    }

    /// <summary>Adds <paramref name="delta"/> to the record's counter atomically; returns the new value.</summary>
    public int AddCount(StackHandle handle, int delta) => Interlocked.Add(ref Header(handle)->Count, delta);

    public int GetCount(StackHandle handle) => Volatile.Read(ref Header(handle)->Count);

    /// <summary>Every stored stack's handle in storage order (sentinels first; aliases are not stacks). A snapshot taken under the insert lock.</summary>
    public IReadOnlyList<StackHandle> GetHandles()
    {
        var handles = new List<StackHandle>();
        lock (_lock)
        {
            for (int pool = 0; pool < _poolCount; pool++)
            {
                int offset = 0;
                while (offset < _poolUsedBytes[pool])
                {
                    var header = (RecordHeader*)(_poolBases[pool] + offset);
                    if ((header->Flags & RecordFlagAlias) == 0)
                    {
                        handles.Add(new StackHandle(header->Self));
                    }

                    offset += RecordBytes(header->Size);
                }
            }
        }

        return handles;
    }

    /// <summary>
    /// stack_depot_snprint(): one line per frame, each indented by 1 + <paramref name="spaces"/>
    /// spaces (page_owner passes 0). Frames print by name when the record has names, else as raw
    /// hex addresses (what <c>%pS</c> prints for an unknown address).
    /// </summary>
    public void Print(TextWriter writer, StackHandle handle, int spaces = 0)
    {
        string indent = new(' ', 1 + spaces);
        var symbols = GetSymbols(handle);
        if (symbols is not null)
        {
            foreach (var frame in symbols.Frames)
            {
                writer.Write(indent);
                writer.Write(frame.ToString());
                writer.Write('\n');
            }

            return;
        }

        foreach (nuint address in Fetch(handle))
        {
            writer.Write(indent);
            writer.Write("0x");
            writer.Write(((ulong)address).ToString("x", System.Globalization.CultureInfo.InvariantCulture));
            writer.Write('\n');
        }
    }

    public StackDepotStats GetStats() => new(
        Volatile.Read(ref _recordCount),
        Interlocked.Read(ref _bytes),
        Volatile.Read(ref _poolCount),
        _maxPools,
        _hits.Read(),
        Interlocked.Read(ref _misses),
        Interlocked.Read(ref _failures),
        Volatile.Read(ref _limitReached));

    /// <summary>
    /// 32-bit hash of a frame sequence: a multiply/xor-shift mix over the words, seeded with the
    /// kernel's jhash seed and the length. Cheap (one multiply per frame) and spreads code addresses,
    /// whose low bits vary little, over the buckets.
    /// </summary>
    internal static uint Hash(ReadOnlySpan<nuint> frames)
    {
        const ulong Multiplier = 0x9E3779B97F4A7C15UL;
        ulong h = 0x9747b28cUL ^ ((ulong)frames.Length * Multiplier);
        foreach (nuint frame in frames)
        {
            h = (h ^ frame) * Multiplier;
            h ^= h >> 29;
        }

        return (uint)(h ^ (h >> 32));
    }

    private static int RecordBytes(int frameCount) => (HeaderBytes + (frameCount * sizeof(nuint)) + 15) & ~15;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private uint Find(ReadOnlySpan<nuint> frames, uint hash)
    {
        uint current = Volatile.Read(ref _buckets[hash & _bucketMask]);
        while (current != 0)
        {
            var header = RecordAt(current);
            if (header->Hash == hash && header->Size == frames.Length
                && new ReadOnlySpan<nuint>((byte*)header + HeaderBytes, frames.Length).SequenceEqual(frames))
            {
                return header->Target;
            }

            current = header->Next;
        }

        return 0;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private RecordHeader* RecordAt(uint handle)
    {
        var h = new StackHandle(handle);
        return (RecordHeader*)(_poolBases[h.PoolIndex] + h.OffsetBytes);
    }

    /// <summary>Validates a handle from outside and returns its record; misuse throws.</summary>
    private RecordHeader* Header(StackHandle handle)
    {
        uint value = handle.Value & HandleMask;
        int pool = new StackHandle(value).PoolIndex;
        int offset = new StackHandle(value).OffsetBytes;
        if (value == 0 || pool >= Volatile.Read(ref _poolCount) || offset + HeaderBytes > PoolSizeBytes)
        {
            ThrowNotAHandle(handle);
        }

        var header = (RecordHeader*)(Volatile.Read(ref _poolBases[pool]) + offset);
        if (header->Self != value)
        {
            ThrowNotAHandle(handle);
        }

        return header;
    }

    private static void ThrowNotAHandle(StackHandle handle) =>
        ThrowHelper.ThrowArgument(nameof(handle), $"{handle.Value} is not a handle of this stack depot");

    [MethodImpl(MethodImplOptions.NoInlining)]
    private StackHandle SaveSlow(ReadOnlySpan<nuint> frames, uint hash, ResolvedStack? symbols, ushort flags, uint target)
    {
        if (_disabled)
        {
            Interlocked.Increment(ref _failures);
            return StackHandle.Invalid;
        }

        int size = RecordBytes(frames.Length);
        lock (_lock)
        {
            uint raced = Find(frames, hash);
            if (raced != 0)
            {
                _hits.Increment();
                return new StackHandle(raced);
            }

            if (_poolCount == 0 || _poolUsedBytes[_poolCount - 1] + size > PoolSizeBytes)
            {
                if (_poolCount == _maxPools)
                {
                    _limitReached = true;
                    Interlocked.Increment(ref _failures);
                    return StackHandle.Invalid;
                }

                _pools[_poolCount] = PinnedArray.Allocate<byte>(PoolSizeBytes, out byte* poolBase);
                _poolBases[_poolCount] = (nint)poolBase;
                Volatile.Write(ref _poolCount, _poolCount + 1);
            }

            int poolIndex = _poolCount - 1;
            int offset = _poolUsedBytes[poolIndex];
            var handle = StackHandle.Create(poolIndex, offset);
            var header = (RecordHeader*)(_poolBases[poolIndex] + offset);
            int ordinal = _recordCount;
            ref uint bucket = ref _buckets[hash & _bucketMask];

            header->Next = bucket;
            header->Hash = hash;
            header->Size = (ushort)frames.Length;
            header->Flags = flags;
            header->Count = 0;
            header->Ordinal = ordinal;
            header->Self = handle.Value;
            header->Target = target != 0 ? target : handle.Value;
            frames.CopyTo(new Span<nuint>((byte*)header + HeaderBytes, frames.Length));

            if (symbols is not null)
            {
                ref var chunk = ref _symbols[ordinal >> SymbolChunkShift];
                chunk ??= new ResolvedStack[SymbolChunkSize];
                chunk[ordinal & (SymbolChunkSize - 1)] = symbols;
            }

            _poolUsedBytes[poolIndex] = offset + size;
            _bytes += size;
            _misses++;
            Volatile.Write(ref _recordCount, ordinal + 1);

            // Publish last: readers that see the new head see a complete record.
            Volatile.Write(ref bucket, handle.Value);
            return new StackHandle(header->Target);
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct RecordHeader
    {
        public uint Next;
        public uint Hash;
        public ushort Size;
        public ushort Flags;
        public int Count;
        public int Ordinal;
        public uint Self;
        public uint Target;
        public uint Reserved;
    }
}
