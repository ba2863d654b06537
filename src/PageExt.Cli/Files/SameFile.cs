using PageExt.Platform;

namespace PageExt.Cli.Files;

/// <summary>
/// "Are these two paths one file?" by the OS's identity of the file (device and inode, volume and
/// file index), so relative paths, symbolic links, hard links and /proc/self/fd entries are all
/// seen through. Where the OS gives no identity, or a path does not exist yet, the fully resolved
/// paths are compared instead.
/// </summary>
internal static class SameFile
{
    public static bool Check(string first, string second)
    {
        if (FileIdentity.TryGet(first, out var a) && FileIdentity.TryGet(second, out var b))
        {
            return a.Device == b.Device && a.Inode == b.Inode && a.Kind != FileKind.Other;
        }

        return string.Equals(Resolve(first), Resolve(second), OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);
    }

    /// <summary>The full path with a final symbolic link followed, so a rename replaces the file the link points at, not the link.</summary>
    public static string Resolve(string path)
    {
        string full = Path.GetFullPath(path);
        try
        {
            return new FileInfo(full).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? full;
        }
        catch (IOException)
        {
            // A dangling or looping link: write where the user pointed.
            return full;
        }
    }
}
