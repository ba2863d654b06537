using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace PageExt.Platform;

/// <summary>
/// Zeroed arrays the GC never moves, for tables the hot paths reach by raw pointer. Unlike native
/// memory they need no explicit free and cannot be freed under a reader: the pointer stays valid
/// for as long as the array is referenced.
/// </summary>
internal static unsafe class PinnedArray
{
    public static T[] Allocate<T>(int length, out T* first)
        where T : unmanaged
    {
        var array = GC.AllocateArray<T>(length, pinned: true);
        first = (T*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(array));
        return array;
    }
}
