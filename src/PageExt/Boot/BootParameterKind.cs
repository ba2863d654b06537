namespace PageExt.Boot;

/// <summary>How a boot parameter's value is spelled and parsed.</summary>
public enum BootParameterKind
{
    /// <summary>kstrtobool(): only the first character (two for "o…") counts; a bare name is malformed.</summary>
    Bool,

    /// <summary>kstrtoul(s, 10): decimal digits with an optional leading '+', checked against a range.</summary>
    UInt,

    /// <summary>One of a fixed set of words, compared case-sensitively (strcmp).</summary>
    Word,

    /// <summary>memparse(): a number (0x hex, leading-0 octal, else decimal) with an optional K/M/G/T/P/E suffix.</summary>
    Size,

    /// <summary>A bare switch: any value, or none, is accepted and ignored.</summary>
    Flag,

    /// <summary>A comma-separated list, read by the row's own parser (trace_event=, trace_options=).</summary>
    List,
}
