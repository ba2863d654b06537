namespace PageExt.Cli.Commands;

/// <summary>
/// An output file written under a temporary name in its own folder and renamed over the final
/// name only when complete, so a failure (or Ctrl-C, see <see cref="Abandon"/>) never leaves a
/// half-written file where a finished one was expected.
/// </summary>
internal sealed class ReplacingOutput : IDisposable
{
    private int _done;

    public ReplacingOutput(string path)
    {
        FinalPath = Path.GetFullPath(path);
        TempPath = Path.Combine(Path.GetDirectoryName(FinalPath)!, $".{Path.GetFileName(FinalPath)}.{Guid.NewGuid():N}.tmp");
        Stream = new FileStream(TempPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1 << 16);
    }

    public string FinalPath { get; }

    public string TempPath { get; }

    public FileStream Stream { get; }

    /// <summary>True when <paramref name="output"/> names the same file as one of <paramref name="inputs"/>.</summary>
    public static bool IsOneOf(string output, IEnumerable<string> inputs)
    {
        string full = Path.GetFullPath(output);
        return inputs.Where(i => i != "-").Any(i => string.Equals(Path.GetFullPath(i), full, StringComparison.Ordinal));
    }

    public void Commit()
    {
        Stream.Dispose();
        File.Move(TempPath, FinalPath, overwrite: true);
        Interlocked.Exchange(ref _done, 1);
    }

    /// <summary>Deletes the temporary file; safe from a signal handler and after <see cref="Commit"/>.</summary>
    public void Abandon()
    {
        if (Interlocked.Exchange(ref _done, 1) != 0)
        {
            return;
        }

        try
        {
            File.Delete(TempPath);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    public void Dispose()
    {
        Stream.Dispose();
        Abandon();
    }
}
