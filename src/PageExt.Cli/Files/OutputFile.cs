using System.Text;
using PageExt.Platform;

namespace PageExt.Cli.Files;

/// <summary>
/// One output of a command, written so that no failure destroys data. Every command that writes
/// files opens all its outputs through <see cref="OpenAll"/> before it starts any work, so a path
/// that cannot be written fails at once and never after a long run. A file is written to a
/// temporary file beside it and renamed over the target only by <see cref="Commit"/>; disposing an
/// uncommitted output deletes the temporary file, and so does Ctrl-C or SIGTERM
/// (<see cref="DeleteAbandoned"/>), so a failed or interrupted run leaves an existing file as it
/// was and leaves nothing behind. `-` is standard output; a device or FIFO (/dev/null) is written
/// in place, because renaming over it would replace the device.
/// </summary>
/// <remarks>
/// Concurrency model: the set of live temporary files is shared with the signal handlers, which run
/// on another thread; <see cref="s_pendingLock"/> makes a rename and a deletion of the same temporary
/// file exclusive, so an interrupted commit either completes or leaves the old file.
/// </remarks>
internal sealed class OutputFile : IDisposable
{
    private const int BufferBytes = 1 << 16;
    private static readonly Lock s_pendingLock = new();
    private static readonly HashSet<string> s_pending = new(StringComparer.Ordinal);

    private readonly CliContext _context;
    private readonly string? _target;
    private readonly string? _temp;
    private Stream? _stream;
    private TextWriter? _writer;
    private bool _done;

    private OutputFile(string option, string path, CliContext context, string? target, string? temp, Stream? stream)
    {
        Option = option;
        Path = path;
        _context = context;
        _target = target;
        _temp = temp;
        _stream = stream;
    }

    /// <summary>The option that named this output, for messages (`--page-owner`, `output`).</summary>
    public string Option { get; }

    /// <summary>The path as the user spelled it.</summary>
    public string Path { get; }

    public bool IsStdout => Path == "-";

    /// <summary>The output as bytes. For `-`, the context's raw standard output.</summary>
    public Stream Stream => _stream ??= IsStdout
        ? _context.OpenStdout?.Invoke() ?? throw new CliException("standard output cannot take bytes in this context")
        : throw new ObjectDisposedException(Path);

    /// <summary>The output as UTF-8 text with \n line ends. For `-`, the context's standard output writer.</summary>
    public TextWriter Writer => _writer ??= IsStdout
        ? _context.Stdout
        : new StreamWriter(Stream, new UTF8Encoding(false), BufferBytes, leaveOpen: true) { NewLine = "\n" };

    /// <summary>
    /// Checks and opens every output before any work: none may be an input or another output
    /// (judged by file identity, not spelling), its folder must exist and be writable, and it must
    /// not be a directory. Null paths are skipped. On failure nothing is left behind.
    /// </summary>
    /// <exception cref="CliException">An output cannot be written; the message names it.</exception>
    public static OutputFile[] OpenAll(IReadOnlyList<(string Option, string? Path)> outputs, IReadOnlyList<string?> inputs, CliContext context)
    {
        var opened = new List<OutputFile>();
        try
        {
            foreach (var (option, path) in outputs)
            {
                if (path is null)
                {
                    continue;
                }

                foreach (var input in inputs)
                {
                    if (input is not null && input != "-" && path != "-" && SameFile.Check(input, path))
                    {
                        throw new CliException($"{option} '{path}' is the input '{input}' (the same file); refusing to write over an input");
                    }
                }

                foreach (var earlier in opened)
                {
                    if (!earlier.IsStdout && path != "-" && SameFile.Check(earlier.Path, path))
                    {
                        throw new CliException($"{option} '{path}' and {earlier.Option} '{earlier.Path}' are the same file");
                    }
                }

                opened.Add(Open(option, path, context));
            }

            return [.. opened];
        }
        catch
        {
            foreach (var output in opened)
            {
                output.Dispose();
            }

            throw;
        }
    }

    /// <summary>Flushes and, for a file, renames the temporary file over the target.</summary>
    public void Commit()
    {
        ObjectDisposedException.ThrowIf(_done, this);
        _writer?.Flush();
        if (IsStdout)
        {
            _stream?.Flush();
            _done = true;
            return;
        }

        _stream!.Flush();
        _stream.Dispose();
        if (_temp is not null)
        {
            lock (s_pendingLock)
            {
                if (!OperatingSystem.IsWindows() && File.Exists(_target))
                {
                    // Keep the mode a user gave the file they asked us to replace.
                    File.SetUnixFileMode(_temp, File.GetUnixFileMode(_target!));
                }

                File.Move(_temp, _target!, overwrite: true);
                s_pending.Remove(_temp);
            }
        }

        _done = true;
    }

    /// <summary>Without <see cref="Commit"/>, deletes the temporary file and leaves the target as it was.</summary>
    public void Dispose()
    {
        if (_done)
        {
            return;
        }

        _done = true;
        if (IsStdout)
        {
            return;
        }

        _stream?.Dispose();
        if (_temp is not null)
        {
            lock (s_pendingLock)
            {
                TryDelete(_temp);
                s_pending.Remove(_temp);
            }
        }
    }

    /// <summary>Deletes every temporary file not yet committed; for the signal handlers.</summary>
    public static void DeleteAbandoned()
    {
        lock (s_pendingLock)
        {
            foreach (var temp in s_pending)
            {
                TryDelete(temp);
            }

            s_pending.Clear();
        }
    }

    /// <summary>The temporary files not yet committed or deleted (for tests).</summary>
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

    private static OutputFile Open(string option, string path, CliContext context)
    {
        if (path == "-")
        {
            return new OutputFile(option, path, context, null, null, null);
        }

        if (path.Length == 0)
        {
            throw new CliException($"{option} needs a file name, not an empty one");
        }

        string target = SameFile.Resolve(path);
        if (FileIdentity.TryGet(target, out var identity))
        {
            if (identity.Kind == FileKind.Directory)
            {
                throw new CliException($"cannot write {option} '{path}': it is a directory");
            }

            if (identity.Kind == FileKind.Other)
            {
                return new OutputFile(option, path, context, target, null, OpenStream(option, path, target, FileMode.Open));
            }
        }
        else if (Directory.Exists(target))
        {
            throw new CliException($"cannot write {option} '{path}': it is a directory");
        }

        string folder = System.IO.Path.GetDirectoryName(target) ?? ".";
        if (!Directory.Exists(folder))
        {
            throw new CliException($"cannot write {option} '{path}': folder '{folder}' does not exist");
        }

        string temp = System.IO.Path.Combine(folder, $".{System.IO.Path.GetFileName(target)}.{Guid.NewGuid():N}.pageext-tmp");
        lock (s_pendingLock)
        {
            var stream = OpenStream(option, path, temp, FileMode.CreateNew);
            s_pending.Add(temp);
            return new OutputFile(option, path, context, target, temp, stream);
        }
    }

    private static FileStream OpenStream(string option, string path, string file, FileMode mode)
    {
        try
        {
            return new FileStream(file, mode, FileAccess.Write, FileShare.Read, BufferBytes);
        }
        catch (UnauthorizedAccessException)
        {
            throw new CliException($"cannot write {option} '{path}': permission denied in '{System.IO.Path.GetDirectoryName(file)}'");
        }
        catch (IOException e)
        {
            throw new CliException($"cannot write {option} '{path}': {e.Message}");
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort: a signal handler must not throw, and the target is untouched either way.
        }
    }
}
