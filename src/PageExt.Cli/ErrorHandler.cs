using System.CommandLine;
using System.CommandLine.Invocation;
using PageExt.Boot;

namespace PageExt.Cli;

/// <summary>
/// The one top-level handler: every failure of a command reaches the user as one line that names
/// what is at fault, with a documented exit code (<see cref="ExitCodes"/>). An expected failure
/// (<see cref="CliException"/>, a boot command line or machine the library refuses, a file the OS
/// refuses) prints its message; anything else is a bug and says so, with a hint to rerun with
/// PAGEEXT_DEBUG=1 (or --verbose), which adds the full trace for a bug report.
/// </summary>
internal static class ErrorHandler
{
    public const string DebugVariable = "PAGEEXT_DEBUG";

    public const string VerboseOption = "--verbose";

    public static bool DebugFromEnvironment => Environment.GetEnvironmentVariable(DebugVariable) is { Length: > 0 } value && value != "0";

    public static int Run(string command, Func<int> body, CliContext context, bool verbose) =>
        Run(command, body, context, verbose, out _);

    /// <param name="failed">True when the body threw and the code is the failure's.</param>
    public static int Run(string command, Func<int> body, CliContext context, bool verbose, out bool failed)
    {
        failed = false;
        try
        {
            return body();
        }
        catch (Exception e) when (e is not AccessViolationException)
        {
            // An access violation (catchable only under legacyCorruptedStateExceptionsPolicy) means
            // memory is not what the program believes: the process must die by it, as
            // debug_pagealloc promises, not carry on to print a tidy line.
            failed = true;
            var (message, exitCode) = Describe(e);
            context.Stderr.WriteLine($"{(command.Length > 0 ? "pageext " + command : "pageext")}: {message}");
            if (verbose)
            {
                context.Stderr.WriteLine(e.ToString());
            }

            context.Stderr.Flush();
            return exitCode;
        }
    }

    /// <summary>
    /// A command line the parser rejected: System.CommandLine's messages (one a line, with its
    /// suggestions for a misspelled option or command), then where to find the usage. Exit 1.
    /// </summary>
    public static int UsageError(ParseResult parsed, string command, CliContext context)
    {
        if (parsed.Action is ParseErrorAction action)
        {
            action.ShowHelp = false;
            action.ShowTypoCorrections = true;
        }

        // The suggestions too go to stderr: stdout carries only what a command was asked for.
        parsed.Invoke(new InvocationConfiguration { Output = context.Stderr, Error = context.Stderr, EnableDefaultExceptionHandler = false });
        context.Stderr.WriteLine($"Run 'pageext {(command.Length > 0 ? command + " " : "")}--help' for usage.");
        return ExitCodes.Usage;
    }

    /// <summary>The one line and the exit code for a failure.</summary>
    public static (string Message, int ExitCode) Describe(Exception e) => e switch
    {
        CliException cli => (cli.Message, cli.ExitCode),
        BootParameterException boot => ("bad boot command line: " + OneLine(boot), ExitCodes.Usage),
        InsufficientMemoryException memory => ("out of memory: " + OneLine(memory), ExitCodes.Usage),
        MachineDescriptionException machine => ("cannot boot: " + OneLine(machine), ExitCodes.Usage),
        UnauthorizedAccessException or IOException => (OneLine(e), ExitCodes.Usage),
        _ => ($"internal error: {e.GetType().Name}: {OneLine(e)}. This is a bug in PageExt: rerun with {DebugVariable}=1 to see the trace, and report it.", ExitCodes.InternalError),
    };

    /// <summary>
    /// An exception's message without the runtime's decorations: the first line only, without
    /// " (Parameter 'x')" and "Actual value was ...", which name code, not the user's input.
    /// </summary>
    public static string OneLine(Exception e)
    {
        string message = e.Message;
        if (e is ArgumentException { ParamName: { } name })
        {
            message = message.Replace($" (Parameter '{name}')", "", StringComparison.Ordinal);
        }

        int newline = message.IndexOfAny(['\r', '\n']);
        return (newline >= 0 ? message[..newline] : message).Trim();
    }
}
