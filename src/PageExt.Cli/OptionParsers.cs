using System.CommandLine.Parsing;
using System.Globalization;

namespace PageExt.Cli;

/// <summary>
/// Whole-number options parsed and range-checked in one step, so a bad value is one parse error
/// naming the option (a validator reading a value that failed to convert would throw instead).
/// </summary>
internal static class OptionParsers
{
    public static Func<ArgumentResult, int> Int(string option, int minimum) => result => (int)Parse(result, option, minimum, int.MaxValue);

    public static Func<ArgumentResult, long> Long(string option, long minimum) => result => Parse(result, option, minimum, long.MaxValue);

    private static long Parse(ArgumentResult result, string option, long minimum, long maximum)
    {
        string text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value) && value >= minimum && value <= maximum)
        {
            return value;
        }

        result.AddError($"{option} takes a whole number from {minimum} to {maximum}, not '{text}'");
        return minimum;
    }
}
