using System.Globalization;

namespace PageExt.Physical;

/// <summary>
/// A page frame number: physical address >> <see cref="PageSize.Shift"/>. A distinct type so a PFN
/// is never passed where an index, a count or an address is expected.
/// </summary>
public readonly record struct Pfn(ulong Value) : IComparable<Pfn>
{
    public static Pfn operator +(Pfn pfn, ulong pages) => new(pfn.Value + pages);

    public static Pfn operator -(Pfn pfn, ulong pages) => new(pfn.Value - pages);

    public static bool operator <(Pfn left, Pfn right) => left.Value < right.Value;

    public static bool operator >(Pfn left, Pfn right) => left.Value > right.Value;

    public static bool operator <=(Pfn left, Pfn right) => left.Value <= right.Value;

    public static bool operator >=(Pfn left, Pfn right) => left.Value >= right.Value;

    /// <summary>The physical address of the frame's first byte.</summary>
    public ulong PhysicalAddress => Value << PageSize.Shift;

    public int CompareTo(Pfn other) => Value.CompareTo(other.Value);

    /// <summary>Kernel spelling since v6.5: lowercase hex with 0x.</summary>
    public override string ToString() => "0x" + Value.ToString("x", CultureInfo.InvariantCulture);
}
