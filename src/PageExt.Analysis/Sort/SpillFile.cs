namespace PageExt.Analysis.Sort;

/// <summary>
/// A temporary file that never outlives its process: on Unix its name is unlinked as soon as it is
/// open, so neither success, an exception, Ctrl-C nor a kill leaves it behind (the kernel frees the
/// blocks when the last descriptor closes); on Windows the OS deletes it when the handle closes.
/// Runs are appended through <see cref="Stream"/> and read back with positional reads on
/// <see cref="Handle"/>, so any number of runs costs one descriptor.
/// </summary>
internal sealed class SpillFile : IDisposable
{
    private const int BufferBytes = 1 << 16;
    private readonly FileStream _stream;

    public SpillFile(string? directory)
    {
        string folder = directory ?? Path.GetTempPath();
        string path = Path.Combine(folder, $"pageext-spill-{Environment.ProcessId}-{Guid.NewGuid():N}.tmp");
        var options = OperatingSystem.IsWindows() ? FileOptions.DeleteOnClose : FileOptions.None;
        _stream = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, BufferBytes, options);
        if (!OperatingSystem.IsWindows())
        {
            File.Delete(path);
        }
    }

    public FileStream Stream => _stream;

    public Microsoft.Win32.SafeHandles.SafeFileHandle Handle => _stream.SafeFileHandle;

    public void Dispose() => _stream.Dispose();
}
