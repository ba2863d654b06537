using System.Runtime.InteropServices;

namespace PageExt.Platform;

/// <summary>
/// Reserve, commit, protect and release page-aligned virtual memory. See README.md beside this
/// file for the contract of each operation on each OS.
/// </summary>
internal static partial class VirtualMemory
{
    private const int ProtNone = 0;
    private const int ProtRead = 1;
    private const int ProtWrite = 2;
    private const int MapPrivate = 0x02;
    private const int MadvDontNeed = 4;

    private const uint MemCommit = 0x1000;
    private const uint MemReserve = 0x2000;
    private const uint MemDecommit = 0x4000;
    private const uint MemRelease = 0x8000;
    private const uint PageNoAccess = 0x01;
    private const uint PageReadWrite = 0x04;

    // MAP_ANONYMOUS and MAP_NORESERVE differ between Linux and the BSDs; macOS has no NORESERVE
    // and does not need it (it never reserves swap for anonymous memory up front).
    private static int MapAnonymous => OperatingSystem.IsLinux() ? 0x20 : 0x1000;

    private static int MapNoReserve => OperatingSystem.IsLinux() ? 0x4000 : 0;

    public static nint Reserve(nuint bytes)
    {
        if (OperatingSystem.IsWindows())
        {
            nint p = VirtualAlloc(0, bytes, MemReserve, PageNoAccess);
            return p != 0 ? p : throw new InsufficientMemoryException(
                $"could not reserve {bytes} bytes of address space (error {Marshal.GetLastPInvokeError()})");
        }

        nint addr = mmap(0, bytes, ProtRead | ProtWrite, MapPrivate | MapAnonymous | MapNoReserve, -1, 0);
        return addr != -1 ? addr : throw new InsufficientMemoryException(
            $"could not reserve {bytes} bytes of address space (errno {Marshal.GetLastPInvokeError()})");
    }

    public static void Commit(nint address, nuint bytes)
    {
        if (OperatingSystem.IsWindows() && VirtualAlloc(address, bytes, MemCommit, PageReadWrite) == 0)
        {
            throw new InsufficientMemoryException($"could not commit {bytes} bytes (error {Marshal.GetLastPInvokeError()})");
        }
    }

    public static void Decommit(nint address, nuint bytes)
    {
        if (OperatingSystem.IsWindows())
        {
            VirtualFree(address, bytes, MemDecommit);
        }
        else
        {
            madvise(address, bytes, MadvDontNeed);
        }
    }

    public static bool Protect(nint address, nuint bytes, MemoryAccess access, out int error)
    {
        bool ok;
        if (OperatingSystem.IsWindows())
        {
            ok = VirtualProtect(address, bytes, access == MemoryAccess.None ? PageNoAccess : PageReadWrite, out _);
        }
        else
        {
            ok = mprotect(address, bytes, access == MemoryAccess.None ? ProtNone : ProtRead | ProtWrite) == 0;
        }

        error = ok ? 0 : Marshal.GetLastPInvokeError();
        return ok;
    }

    public static void Release(nint address, nuint bytes)
    {
        if (OperatingSystem.IsWindows())
        {
            VirtualFree(address, 0, MemRelease);
        }
        else
        {
            munmap(address, bytes);
        }
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint mmap(nint addr, nuint length, int prot, int flags, int fd, nint offset);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int munmap(nint addr, nuint length);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int mprotect(nint addr, nuint length, int prot);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int madvise(nint addr, nuint length, int advice);

    [LibraryImport("kernel32", SetLastError = true)]
    private static partial nint VirtualAlloc(nint address, nuint size, uint allocationType, uint protect);

    [LibraryImport("kernel32", SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    private static partial bool VirtualFree(nint address, nuint size, uint freeType);

    [LibraryImport("kernel32", SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    private static partial bool VirtualProtect(nint address, nuint size, uint newProtect, out uint oldProtect);
}
