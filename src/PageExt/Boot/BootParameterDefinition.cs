using System.Globalization;

namespace PageExt.Boot;

/// <summary>
/// One row of <see cref="BootParameterTable"/>, the counterpart of an <c>early_param()</c> /
/// <c>__setup()</c> line: the name, how the value is spelled, its default and range, and how a
/// parsed value lands in <see cref="BootParameters"/>. Parsing, error messages, the effective
/// settings print and the README table are all derived from these rows.
/// </summary>
public sealed class BootParameterDefinition
{
    private readonly Func<BootParameters, ulong, BootParameters> _apply;
    private readonly Func<BootParameters, string?> _show;
    private readonly Func<ulong, string?>? _onSet;
    private readonly string[] _words;
    private readonly ListParser? _parseList;
    private readonly string? _listAllowedText;

    internal BootParameterDefinition(
        string name,
        BootParameterKind kind,
        BootParameterOrigin origin,
        string defaultText,
        string description,
        Func<BootParameters, ulong, BootParameters> apply,
        Func<BootParameters, string?> show,
        ulong min = 0,
        ulong max = ulong.MaxValue,
        string[]? words = null,
        Func<ulong, string?>? onSet = null,
        ListParser? parseList = null,
        string? listAllowedText = null)
    {
        Name = name;
        Kind = kind;
        Origin = origin;
        DefaultText = defaultText;
        Description = description;
        Min = min;
        Max = max;
        _words = words ?? [];
        _apply = apply;
        _show = show;
        _onSet = onSet;
        _parseList = parseList;
        _listAllowedText = listAllowedText;
    }

    /// <summary>
    /// Reads a <see cref="BootParameterKind.List"/> value into one number; returns null on success,
    /// else the entries it could not read, quoted (the message adds the parameter and what it allows).
    /// </summary>
    internal delegate string? ListParser(string value, out ulong parsed);

    /// <summary>The canonical spelling, with underscores ('-' matches '_' when parsing).</summary>
    public string Name { get; }

    public BootParameterKind Kind { get; }

    public BootParameterOrigin Origin { get; }

    /// <summary>The default as it would be written on the command line.</summary>
    public string DefaultText { get; }

    /// <summary>What the parameter does, for the README and help output.</summary>
    public string Description { get; }

    /// <summary>Smallest accepted value (UInt: the number; Size: bytes).</summary>
    public ulong Min { get; }

    /// <summary>Largest accepted value (UInt: the number; Size: bytes).</summary>
    public ulong Max { get; }

    /// <summary>The accepted words of a <see cref="BootParameterKind.Word"/> parameter, index = parsed value.</summary>
    public IReadOnlyList<string> Words => _words;

    /// <summary>The accepted values as the error messages and the README spell them.</summary>
    public string AllowedText => Kind switch
    {
        BootParameterKind.Bool => "on|off (kstrtobool: y/Y/1/t/T/on true, n/N/0/f/F/off false)",
        BootParameterKind.UInt => Min.ToString(CultureInfo.InvariantCulture) + ".." + Max.ToString(CultureInfo.InvariantCulture),
        BootParameterKind.Word => string.Join('|', _words),
        BootParameterKind.List => _listAllowedText ?? "a comma-separated list",
        BootParameterKind.Size => "<n>[K|M|G|T|P|E]" + (Max == ulong.MaxValue
            ? (Min > 0 ? ", at least " + KernelStrings.FormatSize(Min) : string.Empty)
            : ", " + KernelStrings.FormatSize(Min) + ".." + KernelStrings.FormatSize(Max)),
        _ => "no value (any value is ignored)",
    };

    internal BootParameters Apply(BootParameters parameters, ulong value) => _apply(parameters, value);

    /// <summary>The setting's current value as written on a command line, or null when it has no state of its own.</summary>
    internal string? Show(BootParameters parameters) => _show(parameters);

    /// <summary>The log line the kernel prints on success (e.g. "Setting debug_guardpage_minorder to 2"), if any.</summary>
    internal string? OnSet(ulong value) => _onSet?.Invoke(value);

    /// <summary>
    /// Parses one value. Returns null on success, else the error message naming the parameter, the
    /// bad value and the allowed values. <paramref name="value"/> is null for a bare name.
    /// </summary>
    internal string? TryParseValue(string? value, out ulong parsed)
    {
        parsed = 0;
        if (Kind == BootParameterKind.Flag)
        {
            parsed = 1;
            return null;
        }

        if (value is null)
        {
            return $"{Name}: missing value; allowed {AllowedText}";
        }

        switch (Kind)
        {
            case BootParameterKind.Bool:
                if (!KernelStrings.TryParseBool(value, out bool b))
                {
                    return $"{Name}: '{value}' is not a boolean; allowed {AllowedText}";
                }

                parsed = b ? 1UL : 0UL;
                return null;

            case BootParameterKind.UInt:
                switch (KernelStrings.ParseDecimal(value, out parsed))
                {
                    case KernelStrings.NumberStatus.Invalid:
                        return $"{Name}: '{value}' is not a number; allowed {AllowedText}";
                    case KernelStrings.NumberStatus.Overflow:
                        return $"{Name}: '{value}' is out of range; allowed {AllowedText}";
                }

                return parsed < Min || parsed > Max ? $"{Name}: '{value}' is out of range; allowed {AllowedText}" : null;

            case BootParameterKind.List:
                string? bad = _parseList!(value, out parsed);
                return bad is null ? null : $"{Name}: {bad} not understood; allowed {AllowedText}";

            case BootParameterKind.Word:
                int index = Array.IndexOf(_words, value);
                if (index < 0)
                {
                    return $"{Name}: '{value}' is not a valid value; allowed {AllowedText}";
                }

                parsed = (ulong)index;
                return null;

            default:
                switch (KernelStrings.ParseSize(value, out parsed))
                {
                    case KernelStrings.NumberStatus.Invalid:
                        return $"{Name}: '{value}' is not a size; allowed {AllowedText}";
                    case KernelStrings.NumberStatus.Overflow:
                        return $"{Name}: '{value}' is out of range; allowed {AllowedText}";
                }

                return parsed < Min || parsed > Max ? $"{Name}: '{value}' is out of range; allowed {AllowedText}" : null;
        }
    }
}
