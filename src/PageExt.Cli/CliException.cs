namespace PageExt.Cli;

/// <summary>
/// An expected failure: the top-level handler prints its message as one line, prefixed with the
/// command, and exits with its code. The message names the thing at fault.
/// </summary>
internal sealed class CliException : Exception
{
    public CliException(string message, int exitCode = ExitCodes.Usage)
        : base(message)
    {
        ExitCode = exitCode;
    }

    public CliException()
        : this("failed")
    {
    }

    public CliException(string message, Exception innerException)
        : base(message, innerException)
    {
        ExitCode = ExitCodes.Usage;
    }

    public int ExitCode { get; }
}
