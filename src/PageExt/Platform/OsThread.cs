using System.Runtime.InteropServices;

namespace PageExt.Platform;

/// <summary>
/// What the OS knows about the calling thread: its id (<c>gettid</c>) and the bounds of its stack
/// (<c>pthread_getattr_np</c> + <c>pthread_attr_getstack</c>). Linux only; elsewhere, or when the C
/// library lacks the call, each method says it has no answer instead of guessing.
/// </summary>
internal static unsafe partial class OsThread
{
    /// <summary>Room for pthread_attr_t (56 bytes on glibc x64), with margin for other C libraries.</summary>
    private const int PthreadAttrBufferBytes = 128;

    /// <summary>The kernel's id of the calling thread (current->pid), or 0 when there is none to ask.</summary>
    public static int CurrentId()
    {
        if (!OperatingSystem.IsLinux())
        {
            return 0;
        }

        try
        {
            return gettid();
        }
        catch (EntryPointNotFoundException)
        {
            return 0;
        }
    }

    /// <summary>The calling thread's stack as [low, high); false when the C library cannot say.</summary>
    public static bool TryGetStackBounds(out nint low, out nint high)
    {
        low = high = 0;
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        byte* attr = stackalloc byte[PthreadAttrBufferBytes];
        if (pthread_getattr_np(pthread_self(), attr) != 0)
        {
            return false;
        }

        nint address = 0;
        nuint size = 0;
        int rc = pthread_attr_getstack(attr, &address, &size);
        _ = pthread_attr_destroy(attr); // frees nothing we hold; its result cannot change the bounds
        if (rc != 0 || address == 0)
        {
            return false;
        }

        low = address;
        high = address + (nint)size;
        return true;
    }

    [LibraryImport("libc", EntryPoint = "gettid")]
    private static partial int gettid();

    [LibraryImport("libc")]
    private static partial nint pthread_self();

    [LibraryImport("libc")]
    private static partial int pthread_getattr_np(nint thread, byte* attr);

    [LibraryImport("libc")]
    private static partial int pthread_attr_getstack(byte* attr, nint* stackAddress, nuint* stackSize);

    [LibraryImport("libc")]
    private static partial int pthread_attr_destroy(byte* attr);
}
