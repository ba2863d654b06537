using System.Text;
using PageExt.Cli;
using PageExt.Cli.Commands;

namespace PageExt.Analysis.Tests.Cli;

/// <summary>`pageext ARGS` in process with a text on standard input, as a shell pipe would run it.</summary>
internal static class CliRun
{
    /// <returns>The exit code, everything written to standard output (text and bytes), and standard error.</returns>
    public static (int Exit, string Stdout, string Stderr) WithStdin(string stdin, params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var bytes = new MemoryStream();
        var context = new CliContext(stdout, stderr, () => new MemoryStream(Encoding.UTF8.GetBytes(stdin))) { OpenStdout = () => bytes };
        int exit = CommandTable.Run(args, context);
        return (exit, stdout.ToString() + Encoding.UTF8.GetString(bytes.ToArray()), stderr.ToString());
    }
}
