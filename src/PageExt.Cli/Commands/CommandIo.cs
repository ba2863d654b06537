using PageExt.Analysis.Dump;

namespace PageExt.Cli.Commands;

/// <summary>Opening inputs and outputs the same way in every command, with one clear message on failure.</summary>
internal static class CommandIo
{
    public static bool TryOpenInput(string path, CliContext context, string command, out Stream stream, out long length)
    {
        try
        {
            stream = DumpSource.Open(path, context.OpenStdin, out length);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            context.Stderr.WriteLine($"pageext {command}: cannot open input '{path}': {e.Message}");
            stream = Stream.Null;
            length = 0;
            return false;
        }
    }

    public static bool TryOpenOutput(string path, CliContext context, string command, out Stream stream)
    {
        try
        {
            stream = path == "-"
                ? context.OpenStdout?.Invoke() ?? throw new IOException("no standard output in this context")
                : new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, bufferSize: 1 << 16);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            context.Stderr.WriteLine($"pageext {command}: cannot create output '{path}': {e.Message}");
            stream = Stream.Null;
            return false;
        }
    }
}
