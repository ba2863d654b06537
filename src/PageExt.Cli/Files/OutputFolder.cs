namespace PageExt.Cli.Files;

/// <summary>
/// A folder of outputs (`export -o DIR`), with the guarantees of <see cref="OutputFile"/>: every
/// file in it is opened through <see cref="OutputFile.OpenAll"/> before any work (so none is an
/// input, judged by file identity, and each is written to a temporary file beside it and renamed
/// only by <see cref="Commit"/>). The folders this run created (missing parents too, for a layout
/// such as fleet/date=.../device=...) are removed again, deepest first, when the run fails or is
/// interrupted and they are still empty, so a failed run leaves nothing behind.
/// </summary>
/// <remarks>
/// The files are renamed one after the other on commit, each whole; a crash between two renames can
/// leave a new file beside an old one, never a half-written one.
/// </remarks>
internal sealed class OutputFolder : IDisposable
{
    private static readonly Lock s_pendingLock = new();
    private static readonly HashSet<string> s_pending = new(StringComparer.Ordinal);

    private readonly string[] _created;
    private readonly OutputFile[] _files;
    private bool _done;

    private OutputFolder(string path, string[] created, OutputFile[] files)
    {
        Path = path;
        _created = created;
        _files = files;
    }

    /// <summary>The folder as the user spelled it.</summary>
    public string Path { get; }

    /// <summary>The files, in the order of the names given to <see cref="Open"/>.</summary>
    public IReadOnlyList<OutputFile> Files => _files;

    /// <summary>Creates the folder if it is missing and opens <paramref name="names"/> in it.</summary>
    /// <exception cref="CliException">The folder or one of its files cannot be written; the message names it.</exception>
    public static OutputFolder Open(string option, string path, IReadOnlyList<string> names, IReadOnlyList<string?> inputs, CliContext context)
    {
        if (path.Length == 0)
        {
            throw new CliException($"{option} needs a folder name, not an empty one");
        }

        if (path == "-")
        {
            throw new CliException($"{option} must name a folder: its files cannot go to standard output");
        }

        if (File.Exists(path))
        {
            throw new CliException($"cannot write {option} '{path}': it is a file, not a folder");
        }

        // The missing folders, deepest first: the ones a failure removes again.
        var created = new List<string>();
        for (string? folder = System.IO.Path.TrimEndingDirectorySeparator(System.IO.Path.GetFullPath(path));
            folder is not null && !Directory.Exists(folder);
            folder = System.IO.Path.GetDirectoryName(folder))
        {
            if (File.Exists(folder))
            {
                throw new CliException($"cannot write {option} '{path}': '{folder}' is a file, not a folder");
            }

            created.Add(folder);
        }

        if (created.Count > 0)
        {
            lock (s_pendingLock)
            {
                s_pending.UnionWith(created);
                try
                {
                    Directory.CreateDirectory(created[0]);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    RemoveIfEmpty(created);
                    throw e is UnauthorizedAccessException
                        ? new CliException($"cannot write {option} '{path}': permission denied")
                        : new CliException($"cannot write {option} '{path}': {e.Message}");
                }
            }
        }

        try
        {
            var outputs = names.Select(name => (option, (string?)System.IO.Path.Combine(path, name))).ToList();
            return new OutputFolder(path, [.. created], OutputFile.OpenAll(outputs, inputs, context));
        }
        catch
        {
            RemoveIfEmpty(created);
            throw;
        }
    }

    /// <summary>Renames every file over its target, then keeps the folder.</summary>
    public void Commit()
    {
        ObjectDisposedException.ThrowIf(_done, this);
        foreach (var file in _files)
        {
            file.Commit();
        }

        _done = true;
        lock (s_pendingLock)
        {
            s_pending.ExceptWith(_created);
        }
    }

    /// <summary>Without <see cref="Commit"/>, deletes the temporary files and a folder this run created.</summary>
    public void Dispose()
    {
        if (_done)
        {
            return;
        }

        _done = true;
        foreach (var file in _files)
        {
            file.Dispose();
        }

        RemoveIfEmpty(_created);
    }

    /// <summary>Removes every folder created by a run not yet committed, if empty; for the signal handlers, after <see cref="OutputFile.DeleteAbandoned"/>.</summary>
    public static void DeleteAbandoned()
    {
        lock (s_pendingLock)
        {
            // A longer path may be inside a shorter one, never the other way round.
            foreach (var folder in s_pending.OrderByDescending(f => f.Length))
            {
                TryDelete(folder);
            }

            s_pending.Clear();
        }
    }

    /// <summary>The created folders not yet committed or removed (for tests).</summary>
    internal static int PendingCount
    {
        get
        {
            lock (s_pendingLock)
            {
                return s_pending.Count;
            }
        }
    }

    /// <param name="folders">Deepest first.</param>
    private static void RemoveIfEmpty(IReadOnlyList<string> folders)
    {
        lock (s_pendingLock)
        {
            foreach (var folder in folders)
            {
                TryDelete(folder);
                s_pending.Remove(folder);
            }
        }
    }

    private static void TryDelete(string folder)
    {
        try
        {
            // Not recursive: a folder someone else has put a file into meanwhile is theirs.
            Directory.Delete(folder, recursive: false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort, as for a temporary file: a signal handler must not throw.
        }
    }
}
