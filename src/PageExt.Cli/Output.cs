using System.Text;

namespace PageExt.Cli;

/// <summary>Writes a report to a file, or to standard output for `-`, buffered and flushed.</summary>
internal static class Output
{
    public static void Write(string path, CliContext context, Action<TextWriter> write)
    {
        if (path == "-")
        {
            write(context.Stdout);
            context.Stdout.Flush();
            return;
        }

        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 16);
        using var writer = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16) { NewLine = "\n" };
        write(writer);
    }
}
