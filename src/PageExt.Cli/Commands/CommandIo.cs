using PageExt.Analysis.Dump;
using PageExt.Cli.Files;

namespace PageExt.Cli.Commands;

/// <summary>Opening inputs the same way in every command, with one line naming the input on failure.</summary>
internal static class CommandIo
{
    /// <exception cref="CliException">The input is missing, a directory or unreadable.</exception>
    public static Stream OpenInput(string path, CliContext context, out long length)
    {
        InputFile.Check("input", path);
        try
        {
            return DumpSource.Open(path, context.OpenStdin, out length);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw InputFile.CannotOpen("input", path, e);
        }
    }
}
