namespace PageExt.Boot;

/// <summary>
/// A malformed or out-of-range value. <see cref="Value"/> is null when the name came without
/// "=value" (a bare <c>page_owner</c>, which the kernel also rejects as malformed).
/// </summary>
public sealed record BootParameterError(string Name, string? Value, string AllowedText, string Message)
{
    public override string ToString() => Message;
}
