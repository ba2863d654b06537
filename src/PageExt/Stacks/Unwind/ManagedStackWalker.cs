using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Reflection.Emit;
using System.Runtime.CompilerServices;
using System.Text;

namespace PageExt.Stacks.Unwind;

/// <summary>
/// The portable capture (System.Diagnostics.StackTrace, about 10 µs and 5-10 KB of garbage per
/// call) and the symbolisation of any capture. A canonical stack is keyed in the depot by
/// (method handle, IL offset) pairs after a tag, so equal call paths deduplicate no matter where
/// the JIT placed the code; its names come from the same trace.
/// <para>
/// Concurrency model: stateless apart from the IL-size cache, a concurrent dictionary that only
/// grows (one entry per method ever symbolised).
/// </para>
/// </summary>
internal static class ManagedStackWalker
{
    /// <summary>First word of a managed key; code addresses never take this value.</summary>
    public static readonly nuint ManagedTag = unchecked((nuint)0x4D414E4147454421UL);

    private static readonly ConcurrentDictionary<nint, int> s_ilSizes = new();

    /// <summary>Depot words the (method, IL offset) pairs of <paramref name="frameCount"/> frames need.</summary>
    public static int KeyWords(int frameCount) => 2 * frameCount;

    /// <summary>
    /// The index of the first frame that belongs to the caller: past the leading frames of
    /// <paramref name="saver"/>, then <paramref name="skip"/> more, then every leading frame
    /// <paramref name="isOwnFrame"/> claims. Frames are judged by method, never by position in
    /// machine code, so inlining below the caller does not move the cut.
    /// </summary>
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "Diagnostics only: a frame whose metadata was trimmed counts as the caller's.")]
    public static int FirstCallerFrame(StackTrace trace, Type saver, int skip, Func<MethodBase, bool>? isOwnFrame)
    {
        int count = trace.FrameCount;
        int i = 0;
        while (i < count && trace.GetFrame(i)?.GetMethod()?.DeclaringType == saver)
        {
            i++;
        }

        i = Math.Min(i + skip, count);
        if (isOwnFrame is not null)
        {
            while (i < count && trace.GetFrame(i)?.GetMethod() is MethodBase m && isOwnFrame(m))
            {
                i++;
            }
        }

        return i;
    }

    /// <summary>
    /// Writes (method handle, IL offset) for up to <paramref name="maxFrames"/> frames of the
    /// trace from <paramref name="first"/>. Returns the words written.
    /// </summary>
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "Diagnostics only: a frame whose metadata was trimmed keys and prints as an unknown method.")]
    public static int WriteKey(StackTrace trace, int first, int maxFrames, Span<nuint> destination)
    {
        int end = Math.Min(trace.FrameCount, first + maxFrames);
        int words = 0;
        for (int i = first; i < end; i++)
        {
            var frame = trace.GetFrame(i);
            nint method = frame?.GetMethod() is MethodBase m ? MethodId(m) : 0;
            destination[words++] = (nuint)method;
            destination[words++] = (nuint)(uint)(frame?.GetILOffset() ?? StackFrame.OFFSET_UNKNOWN);
        }

        return words;
    }

    /// <summary>Namespace.Type.Method, with nested types joined by '.' and generic arity kept (List`1).</summary>
    public static string FullName(MethodBase method)
    {
        var sb = new StringBuilder();
        var type = method.DeclaringType;
        if (type is not null)
        {
            if (type.IsGenericType && !type.IsGenericTypeDefinition)
            {
                type = type.GetGenericTypeDefinition();
            }

            AppendTypeName(sb, type);
            sb.Append('.');
        }

        return sb.Append(method.Name).ToString();
    }

    /// <summary>
    /// A method's identity for keys: its runtime handle, or for a DynamicMethod (reflection invoke
    /// stubs, which have no handle) a tagged identity hash of the object, stable while it lives.
    /// </summary>
    public static nint MethodId(MethodBase method) =>
        method is DynamicMethod
            ? unchecked((nint)(0x7D00_0000_0000_0000L | (uint)RuntimeHelpers.GetHashCode(method)))
            : method.MethodHandle.Value;

    private static void AppendTypeName(StringBuilder sb, Type type)
    {
        if (type.DeclaringType is { } outer)
        {
            AppendTypeName(sb, outer.IsGenericType && !outer.IsGenericTypeDefinition ? outer.GetGenericTypeDefinition() : outer);
            sb.Append('.').Append(type.Name);
            return;
        }

        if (!string.IsNullOrEmpty(type.Namespace))
        {
            sb.Append(type.Namespace).Append('.');
        }

        sb.Append(type.Name);
    }

    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "Diagnostics only: without a body the size prints as 0.")]
    public static int ILSize(MethodBase method)
    {
        nint key = MethodId(method);
        if (s_ilSizes.TryGetValue(key, out int size))
        {
            return size;
        }

        try
        {
            size = method.GetMethodBody()?.GetILAsByteArray()?.Length ?? 0;
        }
        catch (InvalidOperationException)
        {
            size = 0;
        }
        catch (NotSupportedException)
        {
            size = 0;
        }

        s_ilSizes.TryAdd(key, size);
        return size;
    }
}
