namespace PageExt.Boot;

/// <summary>Thrown by <see cref="BootCommandLine.ParseOrThrow"/> when a command line has errors; lists every one.</summary>
public sealed class BootParameterException : Exception
{
    public BootParameterException()
        : this([])
    {
    }

    public BootParameterException(string message)
        : base(message)
    {
        Errors = [];
    }

    public BootParameterException(string message, Exception innerException)
        : base(message, innerException)
    {
        Errors = [];
    }

    public BootParameterException(IReadOnlyList<BootParameterError> errors)
        : base(FormatMessage(errors))
    {
        Errors = errors;
    }

    public IReadOnlyList<BootParameterError> Errors { get; }

    private static string FormatMessage(IReadOnlyList<BootParameterError> errors) =>
        errors.Count == 1
            ? "Bad kernel command line: " + errors[0].Message
            : $"Bad kernel command line ({errors.Count} errors):\n  " + string.Join("\n  ", errors.Select(e => e.Message));
}
