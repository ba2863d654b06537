namespace PageExt.Cli.Commands;

/// <summary>
/// Writes a command's output file whole or not at all: into a temporary file in the same folder,
/// renamed over the target only when writing succeeded, so a failure never leaves half a report or
/// destroys the previous one. Refuses a target that is one of the command's inputs.
/// </summary>
internal static class ReplacingOutput
{
    /// <returns>0 when written, 1 (with one line on stderr) when the target is an input or cannot be written.</returns>
    public static int Write(string path, IEnumerable<string> inputs, CliContext context, string command, Action<Stream> write)
    {
        if (path == "-")
        {
            var stdout = context.OpenStdout?.Invoke();
            if (stdout is null)
            {
                context.Stderr.WriteLine($"pageext {command}: no standard output to write to");
                return 1;
            }

            write(stdout);
            stdout.Flush();
            return 0;
        }

        string full = Resolve(path);
        foreach (string input in inputs)
        {
            if (input != "-" && string.Equals(Resolve(input), full, StringComparison.Ordinal))
            {
                context.Stderr.WriteLine($"pageext {command}: output '{path}' is the input '{input}'; refusing to write over it");
                return 1;
            }
        }

        string folder = Path.GetDirectoryName(full) ?? ".";
        string temporary = Path.Combine(folder, $".{Path.GetFileName(full)}.{Environment.ProcessId}.tmp");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                write(stream);
            }

            File.Move(temporary, full, overwrite: true);
            return 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            context.Stderr.WriteLine($"pageext {command}: cannot write '{path}': {e.Message}");
            return 1;
        }
        finally
        {
            if (File.Exists(temporary))
            {
                File.Delete(temporary);
            }
        }
    }

    /// <summary>The full path with symbolic links followed, so a link to the input is recognised as the input.</summary>
    private static string Resolve(string path)
    {
        string full = Path.GetFullPath(path);
        try
        {
            var target = new FileInfo(full).ResolveLinkTarget(returnFinalTarget: true);
            return target is null ? full : Path.GetFullPath(target.FullName);
        }
        catch (IOException)
        {
            return full;
        }
    }
}
