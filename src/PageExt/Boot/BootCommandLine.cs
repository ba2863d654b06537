namespace PageExt.Boot;

/// <summary>
/// Parses a kernel-style command line against <see cref="BootParameterTable"/>, following
/// kernel/params.c (next_arg, parse_args) and init/main.c:
/// <list type="bullet">
/// <item>whitespace separates <c>name=value</c> or bare <c>name</c>; '-' and '_' in names are equal;</item>
/// <item>double quotes group spaces: <c>name="a b"</c> and <c>"name=a b"</c> both give value <c>a b</c>;</item>
/// <item>parameters apply in order, so a later duplicate wins;</item>
/// <item>a bad value is an error and leaves the setting as it was; parsing goes on;</item>
/// <item>unknown names are collected and reported with the kernel's message, then ignored;</item>
/// <item>a lone <c>--</c> ends the kernel's part: the rest is for init.</item>
/// </list>
/// </summary>
public static class BootCommandLine
{
    /// <summary>The environment variable the CLI and hosts read the command line from.</summary>
    public const string EnvironmentVariable = "PAGEEXT_CMDLINE";

    /// <summary>The value of <see cref="EnvironmentVariable"/>, or "" when it is not set.</summary>
    public static string ReadEnvironment() => Environment.GetEnvironmentVariable(EnvironmentVariable) ?? string.Empty;

    /// <summary>Parses <see cref="ReadEnvironment"/>.</summary>
    public static BootParseResult ParseEnvironment() => Parse(ReadEnvironment());

    /// <summary>Parses, throwing <see cref="BootParameterException"/> (every error listed) if any value is bad.</summary>
    public static BootParameters ParseOrThrow(string? commandLine) => Parse(commandLine).ThrowIfErrors();

    public static BootParseResult Parse(string? commandLine)
    {
        var parameters = BootParameters.Default;
        var errors = new List<BootParameterError>();
        var log = new List<string>();
        var unknown = new List<string>();
        var initArguments = new List<string>();
        string text = commandLine ?? string.Empty;
        int position = 0;
        bool forInit = false;

        while (NextArgument(text, ref position, out string name, out string? value, out string raw))
        {
            if (forInit)
            {
                initArguments.Add(raw);
                continue;
            }

            if (name == "--" && value is null)
            {
                forInit = true;
                continue;
            }

            if (!BootParameterTable.TryFind(name, out var definition))
            {
                unknown.Add(raw);
                continue;
            }

            string? message = definition.TryParseValue(value, out ulong parsed);
            if (message is not null)
            {
                errors.Add(new BootParameterError(definition.Name, value, definition.AllowedText, message));
                continue;
            }

            parameters = definition.Apply(parameters, parsed);
            string? line = definition.OnSet(parsed);
            if (line is not null)
            {
                log.Add(line);
            }
        }

        if (unknown.Count > 0)
        {
            log.Add($"Unknown kernel command line parameters \"{string.Join(' ', unknown)}\", will be passed to user space.");
        }

        return new BootParseResult(parameters, errors, log, unknown, initArguments);
    }

    /// <summary>
    /// next_arg(): one argument starting at <paramref name="position"/> (leading spaces skipped).
    /// The first '=' not at index 0 splits name from value; quotes toggle whether spaces split;
    /// a quote opening the value, or the whole argument, is removed together with a closing quote
    /// that ends the argument. <paramref name="raw"/> is the argument as written minus those quotes.
    /// </summary>
    private static bool NextArgument(string text, ref int position, out string name, out string? value, out string raw)
    {
        while (position < text.Length && char.IsWhiteSpace(text[position]))
        {
            position++;
        }

        name = string.Empty;
        value = null;
        raw = string.Empty;
        if (position >= text.Length)
        {
            return false;
        }

        bool inQuote = false;
        bool quoted = false;
        if (text[position] == '"')
        {
            position++;
            inQuote = true;
            quoted = true;
        }

        int start = position;
        int equals = -1;
        int i = start;
        for (; i < text.Length; i++)
        {
            char c = text[i];
            if (char.IsWhiteSpace(c) && !inQuote)
            {
                break;
            }

            if (equals < 0 && c == '=' && i > start)
            {
                equals = i;
            }

            if (c == '"')
            {
                inQuote = !inQuote;
            }
        }

        int end = i;
        position = i;
        bool endsWithQuote = end > start && text[end - 1] == '"';
        if (equals < 0)
        {
            int nameEnd = quoted && endsWithQuote ? end - 1 : end;
            name = text[start..nameEnd];
            raw = name;
            return true;
        }

        name = text[start..equals];
        int valueStart = equals + 1;
        int valueEnd = end;
        if (valueStart < end && text[valueStart] == '"')
        {
            valueStart++;
            if (endsWithQuote && valueEnd - 1 >= valueStart)
            {
                valueEnd--;
            }
        }
        else if (quoted && endsWithQuote)
        {
            valueEnd--;
        }

        value = text[valueStart..valueEnd];
        raw = name + "=" + value;
        return true;
    }
}
