namespace PageExt.Boot;

/// <summary>
/// What parsing a command line produced. As in the kernel, a bad value does not stop the boot:
/// that parameter keeps its previous value and the error is recorded, so <see cref="Parameters"/>
/// is always usable; callers that prefer to refuse call <see cref="ThrowIfErrors"/>.
/// </summary>
public sealed class BootParseResult
{
    internal BootParseResult(
        BootParameters parameters,
        IReadOnlyList<BootParameterError> errors,
        IReadOnlyList<string> log,
        IReadOnlyList<string> unknownParameters,
        IReadOnlyList<string> initArguments)
    {
        Parameters = parameters;
        Errors = errors;
        Log = log;
        UnknownParameters = unknownParameters;
        InitArguments = initArguments;
    }

    /// <summary>The effective settings after every valid parameter was applied in order.</summary>
    public BootParameters Parameters { get; }

    /// <summary>Malformed or out-of-range values, in command-line order.</summary>
    public IReadOnlyList<BootParameterError> Errors { get; }

    /// <summary>
    /// The kernel log lines the parse printed, in order: informational lines such as
    /// "Setting debug_guardpage_minorder to 2", then the unknown-parameters warning if any.
    /// </summary>
    public IReadOnlyList<string> Log { get; }

    /// <summary>Parameters no table row matches, as written (quotes removed), in order.</summary>
    public IReadOnlyList<string> UnknownParameters { get; }

    /// <summary>Everything after a lone "--": the kernel passes it to init untouched.</summary>
    public IReadOnlyList<string> InitArguments { get; }

    public bool HasErrors => Errors.Count > 0;

    /// <summary>Returns <see cref="Parameters"/>, or throws <see cref="BootParameterException"/> listing every error.</summary>
    public BootParameters ThrowIfErrors()
    {
        if (Errors.Count > 0)
        {
            throw new BootParameterException(Errors);
        }

        return Parameters;
    }
}
