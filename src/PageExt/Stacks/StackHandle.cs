using System.Globalization;
using PageExt.Errors;

namespace PageExt.Stacks;

/// <summary>
/// A 32-bit reference to a stack stored in a <see cref="StackDepot"/> (depot_stack_handle_t).
/// Layout, least significant bits first, as in lib/stackdepot.c since ≈v6.8:
/// <c>pool_index_plus_1:17 | offset:10 | extra:5</c>. <c>offset</c> counts 16-byte units inside a
/// 16 KiB pool; <c>pool_index_plus_1</c> is the pool number plus one, which is what makes every
/// valid handle non-zero. 0 (<see cref="Invalid"/>) means "no stack". A handle stays valid for the
/// life of its depot: records are never removed or moved.
/// </summary>
public readonly struct StackHandle : IEquatable<StackHandle>
{
    public const int PoolIndexBits = 17;
    public const int OffsetBits = 10;
    public const int ExtraBits = 5;

    /// <summary>Pools a handle can address: pool_index_plus_1 runs 1 .. 2^17 − 1.</summary>
    public const int MaxPoolCount = (1 << PoolIndexBits) - 1;

    /// <summary>DEPOT_STACK_ALIGN: records start on 16-byte boundaries (offset unit = 1 &lt;&lt; 4 bytes).</summary>
    public const int OffsetShift = 4;

    public static StackHandle Invalid => default;

    public StackHandle(uint value)
    {
        Value = value;
    }

    /// <summary>The raw 32-bit value, printed by page_owner's debugfs files as a decimal.</summary>
    public uint Value { get; }

    public bool IsValid => Value != 0;

    /// <summary>The pool this record lives in (pool_index_plus_1 − 1); −1 for <see cref="Invalid"/>.</summary>
    public int PoolIndex => (int)(Value & ((1u << PoolIndexBits) - 1)) - 1;

    /// <summary>Byte offset of the record inside its pool.</summary>
    public int OffsetBytes => (int)((Value >> PoolIndexBits) & ((1u << OffsetBits) - 1)) << OffsetShift;

    /// <summary>The 5 caller bits (KASAN's; page_owner leaves them 0).</summary>
    public int Extra => (int)(Value >> (PoolIndexBits + OffsetBits));

    public static bool operator ==(StackHandle left, StackHandle right) => left.Value == right.Value;

    public static bool operator !=(StackHandle left, StackHandle right) => left.Value != right.Value;

    /// <summary>The same record with different extra bits; they take no part in lookup.</summary>
    public StackHandle WithExtra(int extra)
    {
        if ((uint)extra >= 1u << ExtraBits)
        {
            ThrowHelper.ThrowArgumentOutOfRange(nameof(extra), "extra holds 5 bits (0..31)");
        }

        return new StackHandle((Value & ((1u << (PoolIndexBits + OffsetBits)) - 1)) | ((uint)extra << (PoolIndexBits + OffsetBits)));
    }

    public bool Equals(StackHandle other) => Value == other.Value;

    public override bool Equals(object? obj) => obj is StackHandle other && Equals(other);

    public override int GetHashCode() => (int)Value;

    public override string ToString() => Value.ToString(CultureInfo.InvariantCulture);

    internal static StackHandle Create(int poolIndex, int offsetBytes) =>
        new((uint)(poolIndex + 1) | ((uint)(offsetBytes >> OffsetShift) << PoolIndexBits));
}
