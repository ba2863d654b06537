namespace PageExt;

/// <summary>
/// A machine that cannot be built as described (memory size, nodes, hot-plug room, holes, or a
/// command-line size such as cma= that does not fit the memory). The message is one line that
/// names the value at fault and the allowed range in plain units. Boot parameters that do not
/// parse are a <see cref="Boot.BootParameterException"/> instead.
/// </summary>
public sealed class MachineDescriptionException : ArgumentException
{
    public MachineDescriptionException()
    {
    }

    public MachineDescriptionException(string message)
        : base(message)
    {
    }

    public MachineDescriptionException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
