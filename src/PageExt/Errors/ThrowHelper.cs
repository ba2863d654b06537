using System.Diagnostics.CodeAnalysis;

namespace PageExt.Errors;

/// <summary>
/// Throw sites kept out of line so the methods that call them stay small enough to inline. In a
/// namespace of its own, below every other, so that each layer can use it without depending on the
/// root namespace, where <see cref="Machine"/> sits on top of them all.
/// </summary>
internal static class ThrowHelper
{
    [DoesNotReturn]
    public static void ThrowArgumentOutOfRange(string paramName, string message) =>
        throw new ArgumentOutOfRangeException(paramName, message);

    [DoesNotReturn]
    public static void ThrowArgument(string paramName, string message) =>
        throw new ArgumentException(message, paramName);

    [DoesNotReturn]
    public static void ThrowInvalidOperation(string message) =>
        throw new InvalidOperationException(message);
}
