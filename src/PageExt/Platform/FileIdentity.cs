using System.Runtime.InteropServices;

namespace PageExt.Platform;

/// <summary>What kind of file system object a path names, as far as a tool writing files cares.</summary>
internal enum FileKind
{
    RegularFile,
    Directory,

    /// <summary>A device, FIFO or socket: written in place, never replaced by a rename.</summary>
    Other,
}

/// <summary>
/// The identity of a file as the OS sees it: device and inode on Unix (statx), volume serial
/// number and file index on Windows. Two paths name the same file exactly when their identities
/// are equal, whatever their spelling: relative paths, symbolic links (followed), hard links,
/// /proc/self/fd entries. See README.md beside this file for the contract.
/// </summary>
internal readonly partial record struct FileIdentity(ulong Device, ulong Inode, FileKind Kind)
{
    private const int AtFdCwd = -100;
    private const uint StatxType = 0x1;
    private const uint StatxIno = 0x100;
    private const int StatxBufferBytes = 256;
    private const int StatxModeOffset = 28;
    private const int StatxInoOffset = 32;
    private const int StatxDevMajorOffset = 136;
    private const int StatxDevMinorOffset = 140;
    private const int ModeTypeMask = 0xF000;
    private const int ModeRegular = 0x8000;
    private const int ModeDirectory = 0x4000;

    private const uint FileReadAttributes = 0x80;
    private const uint FileShareAll = 0x7;
    private const uint OpenExisting = 3;
    private const uint FileFlagBackupSemantics = 0x02000000;
    private const uint FileAttributeDirectory = 0x10;
    private const int ByHandleInfoBytes = 52;
    private const int ByHandleVolumeOffset = 28;
    private const int ByHandleIndexHighOffset = 44;
    private const int ByHandleIndexLowOffset = 48;
    private const uint FileTypeDisk = 1;

    /// <summary>
    /// The identity of the file <paramref name="path"/> names (following symbolic links), or false
    /// when it does not exist, cannot be examined, or the OS offers no identity (macOS and the BSDs
    /// today; callers then compare resolved full paths).
    /// </summary>
    public static bool TryGet(string path, out FileIdentity identity)
    {
        identity = default;
        if (OperatingSystem.IsLinux())
        {
            return TryGetLinux(path, out identity);
        }

        if (OperatingSystem.IsWindows())
        {
            return TryGetWindows(path, out identity);
        }

        return false;
    }

    private static bool TryGetLinux(string path, out FileIdentity identity)
    {
        // statx has one struct layout on every Linux architecture, unlike struct stat.
        Span<byte> buffer = stackalloc byte[StatxBufferBytes];
        if (statx(AtFdCwd, path, 0, StatxType | StatxIno, ref MemoryMarshal.GetReference(buffer)) != 0)
        {
            identity = default;
            return false;
        }

        int mode = MemoryMarshal.Read<ushort>(buffer[StatxModeOffset..]);

        ulong inode = MemoryMarshal.Read<ulong>(buffer[StatxInoOffset..]);
        ulong device = ((ulong)MemoryMarshal.Read<uint>(buffer[StatxDevMajorOffset..]) << 32) | MemoryMarshal.Read<uint>(buffer[StatxDevMinorOffset..]);
        identity = new FileIdentity(device, inode, (mode & ModeTypeMask) switch
        {
            ModeRegular => FileKind.RegularFile,
            ModeDirectory => FileKind.Directory,
            _ => FileKind.Other,
        });
        return true;
    }

    private static bool TryGetWindows(string path, out FileIdentity identity)
    {
        identity = default;
        nint handle = CreateFileW(path, FileReadAttributes, FileShareAll, 0, OpenExisting, FileFlagBackupSemantics, 0);
        if (handle == -1)
        {
            return false;
        }

        try
        {
            Span<byte> info = stackalloc byte[ByHandleInfoBytes];
            if (GetFileType(handle) != FileTypeDisk)
            {
                identity = new FileIdentity(0, 0, FileKind.Other);
                return true;
            }

            if (!GetFileInformationByHandle(handle, ref MemoryMarshal.GetReference(info)))
            {
                return false;
            }

            uint attributes = MemoryMarshal.Read<uint>(info);
            ulong volume = MemoryMarshal.Read<uint>(info[ByHandleVolumeOffset..]);
            ulong index = ((ulong)MemoryMarshal.Read<uint>(info[ByHandleIndexHighOffset..]) << 32) | MemoryMarshal.Read<uint>(info[ByHandleIndexLowOffset..]);
            identity = new FileIdentity(volume, index, (attributes & FileAttributeDirectory) != 0 ? FileKind.Directory : FileKind.RegularFile);
            return true;
        }
        finally
        {
            CloseHandle(handle);
        }
    }

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int statx(int dirfd, string path, int flags, uint mask, ref byte buffer);

    [LibraryImport("kernel32", SetLastError = true, StringMarshalling = StringMarshalling.Utf16)]
    private static partial nint CreateFileW(string path, uint access, uint share, nint security, uint disposition, uint flags, nint template);

    [LibraryImport("kernel32", SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    private static partial bool GetFileInformationByHandle(nint handle, ref byte information);

    [LibraryImport("kernel32")]
    private static partial uint GetFileType(nint handle);

    [LibraryImport("kernel32", SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    private static partial bool CloseHandle(nint handle);
}
