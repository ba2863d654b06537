using System.Globalization;

namespace PageExt.Stacks;

/// <summary>
/// One symbolised frame. For .NET frames <see cref="Symbol"/> is the method's full name
/// (Namespace.Type.Method, nested types joined with '.'), and the kernel's <c>symbol+0xoff/0xsize</c>
/// print uses the IL offset of the call inside the method and the size of the method's IL body,
/// both in bytes: the managed equivalents of a return address's offset into its function and the
/// function's length. <see cref="ILOffset"/> is −1 and <see cref="ILSize"/> 0 when the runtime
/// cannot tell (optimised code without a mapping, methods without IL); they then print as 0.
/// Caller-info frames carry a file and line instead and print as <c>Member (file:line)</c>.
/// </summary>
public sealed record ResolvedFrame(string Symbol, int ILOffset, int ILSize, nint MethodHandle, string? FileName = null, int Line = 0)
{
    /// <summary>
    /// What formats that print an address beside the symbol (the 2014 dump's <c>[&lt;address&gt;]</c>)
    /// print: the method handle plus the IL offset, stable for the process as a kernel return address
    /// is for a boot. 0 for frames without a method (the allocator's fixed prefix, sentinels).
    /// </summary>
    public ulong Address => MethodHandle == 0 ? 0 : unchecked((ulong)MethodHandle + (ulong)Math.Max(ILOffset, 0));

    public override string ToString()
    {
        if (FileName is not null)
        {
            return Symbol + " (" + FileName + ":" + Line.ToString(CultureInfo.InvariantCulture) + ")";
        }

        return Symbol + "+0x" + Math.Max(ILOffset, 0).ToString("x", CultureInfo.InvariantCulture)
            + "/0x" + ILSize.ToString("x", CultureInfo.InvariantCulture);
    }
}
