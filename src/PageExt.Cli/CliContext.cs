namespace PageExt.Cli;

/// <summary>The process-level things a command may touch, injectable for tests.</summary>
internal sealed class CliContext
{
    public CliContext(TextWriter stdout, TextWriter stderr, Func<Stream>? stdin = null, bool stderrIsTerminal = false)
    {
        Stdout = stdout;
        Stderr = stderr;
        OpenStdin = stdin ?? Console.OpenStandardInput;
        StderrIsTerminal = stderrIsTerminal;
    }

    public TextWriter Stdout { get; }

    public TextWriter Stderr { get; }

    public Func<Stream> OpenStdin { get; }

    public bool StderrIsTerminal { get; }

    /// <summary>The raw standard output stream, for commands that write bytes (e.g. `sort -`).</summary>
    public Func<Stream>? OpenStdout { get; init; }

    public static CliContext FromConsole() => new(Console.Out, Console.Error, Console.OpenStandardInput,
        stderrIsTerminal: !Console.IsErrorRedirected)
    {
        OpenStdout = Console.OpenStandardOutput,
    };
}
