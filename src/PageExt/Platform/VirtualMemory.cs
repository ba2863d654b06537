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
    private const int ProtExec = 4;
    private const int MapPrivate = 0x02;
    private const int SigSegv = 11;
    private const int SaSigInfo = 4;
    private const int MadvDontNeed = 4;
    private const int MadvHugePage = 14;

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

    /// <summary>
    /// Asks Linux to back the range with transparent huge pages where it can: one fault then maps
    /// 2 MiB instead of 4 KiB. Advice only: false where the OS has no such thing or declines.
    /// </summary>
    public static bool AdviseHugePages(nint address, nuint bytes) =>
        OperatingSystem.IsLinux() && madvise(address, bytes, MadvHugePage) == 0;

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

    /// <summary>
    /// Chain a SIGSEGV handler in front of the runtime's that stores siginfo->si_addr in a
    /// process-wide 8-byte slot and jumps on to the runtime's handler with the same arguments.
    /// Linux x64 with glibc only. The stub is 30 bytes of machine code in its own read+execute
    /// page; it touches no stack and no memory but the slot, so it is safe on the alternate
    /// signal stack and in any thread. Installed once per process; never removed.
    /// </summary>
    public static unsafe bool TryInstallFaultAddressRecorder(out nint slot, out string? error)
    {
        slot = 0;
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64)
        {
            error = $"needs Linux on x64 (this is {RuntimeInformation.OSDescription}, {RuntimeInformation.ProcessArchitecture})";
            return false;
        }

        // glibc's struct sigaction on x86_64: handler @0, sa_mask (128 bytes) @8, sa_flags @136,
        // sa_restorer @144; 152 bytes.
        const int SigactionBytes = 152;
        const int FlagsOffset = 136;
        byte* current = stackalloc byte[SigactionBytes];
        if (sigaction(SigSegv, null, current) != 0)
        {
            error = $"sigaction(SIGSEGV) failed (errno {Marshal.GetLastPInvokeError()})";
            return false;
        }

        nint runtimeHandler = *(nint*)current;
        if (runtimeHandler is 0 or 1 || (*(int*)(current + FlagsOffset) & SaSigInfo) == 0)
        {
            error = "the runtime has no SA_SIGINFO handler for SIGSEGV to chain to";
            return false;
        }

        nint recorded = (nint)NativeMemory.AllocZeroed((nuint)sizeof(nint));

        // mov rax,[rsi+16]; mov r11,&slot; mov [r11],rax; mov r11,runtime_handler; jmp r11
        Span<byte> stub = stackalloc byte[30];
        ReadOnlySpan<byte> loadAddress = [0x48, 0x8B, 0x46, 0x10];
        loadAddress.CopyTo(stub);
        stub[4] = 0x49;
        stub[5] = 0xBB;
        BitConverter.TryWriteBytes(stub[6..], (long)recorded);
        stub[14] = 0x49;
        stub[15] = 0x89;
        stub[16] = 0x03;
        stub[17] = 0x49;
        stub[18] = 0xBB;
        BitConverter.TryWriteBytes(stub[19..], (long)runtimeHandler);
        stub[27] = 0x41;
        stub[28] = 0xFF;
        stub[29] = 0xE3;
        nint code = CreateExecutableStub(stub, out error);
        if (code == 0)
        {
            NativeMemory.Free((void*)recorded);
            error = "the handler stub: " + error;
            return false;
        }

        byte* chained = stackalloc byte[SigactionBytes];
        new ReadOnlySpan<byte>(current, SigactionBytes).CopyTo(new Span<byte>(chained, SigactionBytes));
        *(nint*)chained = code;
        if (sigaction(SigSegv, chained, null) != 0)
        {
            error = $"sigaction(SIGSEGV) install failed (errno {Marshal.GetLastPInvokeError()})";
            munmap(code, (nuint)Environment.SystemPageSize);
            NativeMemory.Free((void*)recorded);
            return false;
        }

        slot = recorded;
        error = null;
        return true;
    }

    /// <summary>
    /// Copies <paramref name="code"/> (at most one page of machine code) into a fresh anonymous
    /// page of its own and makes that page read+execute, never writable and executable at once.
    /// Linux and macOS only (on Windows 0 with a reason). The page lives as long as the process:
    /// callers keep a function pointer to it.
    /// </summary>
    public static unsafe nint CreateExecutableStub(ReadOnlySpan<byte> code, out string? error)
    {
        nuint pageBytes = (nuint)Environment.SystemPageSize;
        if (OperatingSystem.IsWindows() || (nuint)code.Length > pageBytes)
        {
            error = OperatingSystem.IsWindows() ? "executable stubs need mmap" : $"{code.Length} bytes do not fit in one page";
            return 0;
        }

        nint page = mmap(0, pageBytes, ProtRead | ProtWrite, MapPrivate | MapAnonymous, -1, 0);
        if (page == -1)
        {
            error = $"mmap failed (errno {Marshal.GetLastPInvokeError()})";
            return 0;
        }

        code.CopyTo(new Span<byte>((void*)page, code.Length));
        if (mprotect(page, pageBytes, ProtRead | ProtExec) != 0)
        {
            error = $"mprotect failed (errno {Marshal.GetLastPInvokeError()})";
            munmap(page, pageBytes);
            return 0;
        }

        error = null;
        return page;
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
    private static unsafe partial int sigaction(int signal, byte* action, byte* oldAction);

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
