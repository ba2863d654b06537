namespace PageExt.Cli.Files;

/// <summary>Checks an input path before any work, so the message names what is wrong with it.</summary>
internal static class InputFile
{
    /// <exception cref="CliException">The path names no file, or names a directory.</exception>
    public static void Check(string what, string path)
    {
        if (path == "-")
        {
            return;
        }

        if (Directory.Exists(path))
        {
            throw new CliException($"{what} '{path}' is a directory, not a file");
        }

        if (!File.Exists(path))
        {
            throw new CliException($"cannot open {what} '{path}': no such file");
        }
    }

    /// <summary>The one-line reason an input that passed <see cref="Check"/> still cannot be opened.</summary>
    public static CliException CannotOpen(string what, string path, Exception e) => e switch
    {
        UnauthorizedAccessException => new CliException($"cannot open {what} '{path}': permission denied"),
        _ => new CliException($"cannot open {what} '{path}': {e.Message}"),
    };
}
